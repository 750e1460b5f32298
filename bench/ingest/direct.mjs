// The baselines of the ingest benchmark: the same rows and documents the ingest stored, loaded straight into
// the database by the simplest fast path (PostgreSQL: COPY in batches of 1,000 rows, one transaction each;
// Elasticsearch: _bulk of 1,000 documents, one request at a time). The rows/documents are read back from
// what the ingest wrote, so both sides store exactly the same data; the baseline skips encoding (its input is
// already COPY text / plain documents), which makes it a little optimistic and the ratio conservative.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';

const BATCH = 1000;

/** COPY of the rows in `fromTable` into a fresh table with the same columns and indexes; rows/s. */
export async function pgDirect(pool, fromTable, toTable) {
  const cols = (await pool.query(
    `SELECT quote_ident(column_name) AS c FROM information_schema.columns WHERE table_name = $1 AND column_name <> 'id' ORDER BY ordinal_position`,
    [fromTable],
  )).rows.map((r) => r.c).join(', ');
  const client = await pool.connect();
  try {
    const chunks = [];
    for await (const c of client.query(copyStreams.to(`COPY ${fromTable} (${cols}) TO STDOUT`))) chunks.push(c);
    const text = Buffer.concat(chunks);
    const batches = [];
    let from = 0;
    let lines = 0;
    for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, i + 1)) {
      if (++lines % BATCH === 0) {
        batches.push(text.subarray(from, i + 1));
        from = i + 1;
      }
    }
    if (from < text.length) batches.push(text.subarray(from));
    await client.query(`CREATE TABLE ${toTable} (LIKE ${fromTable} INCLUDING ALL)`);
    const start = performance.now();
    for (const b of batches) {
      await client.query('BEGIN');
      await pipeline(Readable.from([b]), client.query(copyStreams.from(`COPY ${toTable} (${cols}) FROM STDIN`)));
      await client.query('COMMIT');
    }
    const seconds = (performance.now() - start) / 1000;
    const n = (await client.query(`SELECT count(*)::int AS n FROM ${toTable}`)).rows[0].n;
    if (n !== lines) throw new Error(`direct COPY stored ${n} of ${lines} rows`);
    return { rows: lines, seconds, perSec: lines / seconds };
  } finally {
    client.release();
  }
}

async function es(url, path, init = {}) {
  const res = await fetch(`${url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

/** The documents (with their ids) under `indexPattern`, by scroll. */
async function readDocuments(url, indexPattern) {
  const docs = [];
  let page = await es(url, `/${indexPattern}/_search?scroll=2m`, { method: 'POST', body: JSON.stringify({ size: 10_000, sort: ['_doc'] }) });
  while (page.hits.hits.length > 0) {
    for (const h of page.hits.hits) docs.push([h._id, h._source]);
    page = await es(url, '/_search/scroll', { method: 'POST', body: JSON.stringify({ scroll: '2m', scroll_id: page._scroll_id }) });
  }
  await es(url, '/_search/scroll', { method: 'DELETE', body: JSON.stringify({ scroll_id: page._scroll_id }) });
  return docs;
}

/** _bulk create of the same documents into a fresh index mapped like the ingest's (its template's mappings); docs/s. */
export async function esDirect(url, indexPattern, templateName, toIndex) {
  const docs = await readDocuments(url, indexPattern);
  const template = await es(url, `/_index_template/${templateName}`);
  const mappings = template.index_templates[0].index_template.template.mappings;
  await es(url, `/${toIndex}`, { method: 'PUT', body: JSON.stringify({ mappings }) });
  const start = performance.now();
  for (let i = 0; i < docs.length; i += BATCH) {
    let body = '';
    for (const [id, doc] of docs.slice(i, i + BATCH)) body += `{"create":{"_index":"${toIndex}","_id":${JSON.stringify(id)}}}\n${JSON.stringify(doc)}\n`;
    const res = await fetch(`${url}/_bulk?filter_path=errors`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
    const json = await res.json();
    if (!res.ok || json.errors !== false) throw new Error(`direct _bulk failed: ${res.status}`);
  }
  const seconds = (performance.now() - start) / 1000;
  await es(url, `/${toIndex}/_refresh`, { method: 'POST' });
  const { count } = await es(url, `/${toIndex}/_count`);
  if (count !== docs.length) throw new Error(`direct _bulk stored ${count} of ${docs.length} documents`);
  return { rows: docs.length, seconds, perSec: docs.length / seconds };
}
