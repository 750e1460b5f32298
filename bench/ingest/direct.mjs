// The baselines of the ingest benchmark: the direct loaders of the backends benchmark (bench/backends/pg-direct.mjs:
// COPY ... FROM STDIN of 1,000 rows per transaction, 2 in flight; bench/backends/es-direct.mjs: _bulk create of
// 1,000 documents, 2 in flight), fed exactly the rows and documents the ingest stored (read back), each in a
// fresh process. Neither decodes OTLP nor keeps a write-ahead log: they measure the database's own intake.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { runScenario } from '../lib.mjs';

async function writeLines(file, lines) {
  const out = createWriteStream(file);
  for (const l of lines) if (!out.write(l + '\n')) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/** The rows of `fromTable` (without the serial id) loaded by the backends benchmark's COPY loader into a same-shaped table; rows/s.
 *  `order`: the order they are read (and loaded) in; `ctid` (the order they were stored in) for tables without an id. */
export async function pgDirect(pool, fromTable, toTable, dir, order = 'id') {
  const cols = (await pool.query(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 AND column_name <> 'id' ORDER BY ordinal_position`,
    [fromTable],
  )).rows;
  const columns = cols.map((c) => c.column_name);
  const jsonb = cols.flatMap((c, i) => (c.data_type === 'jsonb' ? [i] : []));
  const select = cols.map((c) => (c.data_type === 'jsonb' ? `"${c.column_name}"` : `"${c.column_name}"::text`)).join(', ');
  const res = await pool.query({ text: `SELECT ${select} FROM ${fromTable} ORDER BY ${order}`, rowMode: 'array' });
  const file = join(dir, 'pg-rows.jsonl');
  await writeLines(file, res.rows.map((r) => JSON.stringify(r)));
  await pool.query(`CREATE TABLE ${toTable} (LIKE ${fromTable} INCLUDING ALL)`);
  const { ns } = runScenario('bench/backends/pg-direct.mjs', [file, toTable, JSON.stringify(columns), JSON.stringify(jsonb)]);
  const n = (await pool.query(`SELECT count(*)::int AS n FROM ${toTable}`)).rows[0].n;
  if (n !== res.rows.length) throw new Error(`direct COPY stored ${n} of ${res.rows.length} rows`);
  return { rows: n, seconds: ns / 1e9, perSec: n / (ns / 1e9) };
}

async function es(url, path, init = {}) {
  const res = await fetch(`${url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

/** The documents' `_source` under `indexPattern`, by scroll. */
async function readDocuments(url, indexPattern) {
  const docs = [];
  let page = await es(url, `/${indexPattern}/_search?scroll=2m`, { method: 'POST', body: JSON.stringify({ size: 10_000, sort: ['_doc'] }) });
  while (page.hits.hits.length > 0) {
    for (const h of page.hits.hits) docs.push(JSON.stringify(h._source));
    page = await es(url, '/_search/scroll', { method: 'POST', body: JSON.stringify({ scroll: '2m', scroll_id: page._scroll_id }) });
  }
  await es(url, '/_search/scroll', { method: 'DELETE', body: JSON.stringify({ scroll_id: page._scroll_id }) });
  return docs;
}

/** The same documents loaded by the backends benchmark's _bulk loader into an index mapped like the ingest's; docs/s. */
export async function esDirect(url, indexPattern, templateName, toIndex, dir) {
  const docs = await readDocuments(url, indexPattern);
  const file = join(dir, 'es-docs.ndjson');
  await writeLines(file, docs);
  const template = await es(url, `/_index_template/${templateName}`);
  const mappings = template.index_templates[0].index_template.template.mappings;
  await es(url, `/${toIndex}`, { method: 'PUT', body: JSON.stringify({ mappings }) });
  const { ns } = runScenario('bench/backends/es-direct.mjs', [file, toIndex, url]);
  await es(url, `/${toIndex}/_refresh`, { method: 'POST' });
  const { count } = await es(url, `/${toIndex}/_count`);
  if (count !== docs.length) throw new Error(`direct _bulk stored ${count} of ${docs.length} documents`);
  return { rows: count, seconds: ns / 1e9, perSec: count / (ns / 1e9) };
}
