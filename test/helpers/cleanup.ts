import pg from 'pg';

/** Drops what a test stored under its tag: the `<tag>_logs` / `<tag>_spans` / `<tag>_metrics` tables and the `<tag>-*` indices and templates. */
export async function dropTagged(tag: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${tag}_logs, ${tag}_spans, ${tag}_metrics`);
  } finally {
    await client.end();
  }
  await fetch(`http://127.0.0.1:9200/${tag}-*`, { method: 'DELETE' });
  // One by one: a metrics template still used by its data stream (which this Elasticsearch cannot delete) must not
  // keep the others from going.
  for (const t of ['', '-logs', '-traces', '-metrics']) await fetch(`http://127.0.0.1:9200/_index_template/${tag}${t}`, { method: 'DELETE' });
}
