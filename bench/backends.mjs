import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import pg from 'pg';
import { runScenario, tempDir, removeDir, median, printTable, fmt, size } from './lib.mjs';

const N = size('BENCH_N_BACKENDS', 50_000, 5_000);
const RUNS = size('BENCH_RUNS_BACKENDS', 3, 1);
const ES = process.env.ISOTEL_ES_URL ?? 'http://127.0.0.1:9200';
const PG = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: 'postgres', database: 'test' };
const ID = `${Date.now().toString(36)}${process.pid}`;

/**
 * Records/s into Elasticsearch and PostgreSQL through isotel's user-facing path (configureLogger →
 * logger.info × N → flush, in a fresh process per run), against a direct loader of the same documents/rows
 * (the ones isotel stored, read back) with the same batch size (1,000) and concurrency (2 requests in flight,
 * as isotel's delivery channel). Runs alternate which contender goes first; each run writes into fresh indices
 * or tables, removed at the end.
 */
export async function benchBackends() {
  const dir = tempDir('isotel-bench-backends-');
  const es = new Client({ node: ES });
  const pool = new pg.Pool({ ...PG, max: 2 });
  const rows = [];
  try {
    rows.push(...(await benchElasticsearch(es, dir)));
    rows.push(...(await benchPostgres(pool, dir)));
  } finally {
    await cleanup(es, pool).catch((err) => console.error(`bench/backends: cleanup failed: ${err.message}`));
    await es.close();
    await pool.end();
    removeDir(dir);
  }
  printTable(
    `Backends: N=${N.toLocaleString('en-US')} log records, median of ${RUNS} runs. isotel = configureLogger → logger.info × N → flush ` +
      `(queue.max_records > N, so this measures loading, not spilling to disk); direct = the same documents/rows, batches of 1,000, 2 in flight`,
    ['contender', 'records/s', 'ratio to direct', 'client CPU ms per 1k', 'stored'],
    rows.map((r) => [r.name, fmt.int(r.perSec), fmt.ratio(r.ratio), r.cpuPer1k.toFixed(1), fmt.int(r.stored)]),
  );
  return rows;
}

/** Runs both contenders RUNS times, alternating the order (the first isotel run produces the direct loader's input). */
async function pairs(runIsotel, runDirect) {
  const isotel = [];
  const direct = [];
  for (let r = 0; r < RUNS; r++) {
    if (r % 2 === 0) {
      isotel.push(await runIsotel(r));
      direct.push(await runDirect(r));
    } else {
      direct.push(await runDirect(r));
      isotel.push(await runIsotel(r));
    }
  }
  return { isotel: summarize(isotel), direct: summarize(direct) };
}

function summarize(results) {
  return { ns: median(results.map((x) => x.ns)), cpuMs: median(results.map((x) => x.cpuMs)), stored: Math.min(...results.map((x) => x.stored)) };
}

function tableRows(label, { isotel, direct }, directName) {
  const perSec = (x) => (N * 1e9) / x.ns;
  return [
    { name: `isotel → ${label}`, perSec: perSec(isotel), ratio: direct.ns / isotel.ns, cpuPer1k: isotel.cpuMs / (N / 1000), stored: isotel.stored },
    { name: directName, perSec: perSec(direct), ratio: 1, cpuPer1k: direct.cpuMs / (N / 1000), stored: direct.stored },
  ];
}

function runIsotel(backend, dataDir) {
  const r = runScenario('bench/backends/isotel.mjs', [JSON.stringify(backend), dataDir, String(N)]);
  if (r.health.waiting_on_disk !== 0 || r.health.dropped !== 0) throw new Error(`isotel run did not load everything: ${JSON.stringify(r.health)}`);
  return r;
}

// ---- Elasticsearch

const esPrefix = (r) => `isotel-bench-${ID}-${r}`;

async function benchElasticsearch(es, dir) {
  const docsFile = join(dir, 'es-docs.ndjson');
  let mappings;
  const result = await pairs(
    async (r) => {
      const prefix = esPrefix(r);
      const backend = {
        backend_type: 'elasticsearch',
        config: { hosts: [ES], index_pattern: `${prefix}-logs-%Y.%m.%d`, span_index_pattern: `${prefix}-traces-%Y.%m.%d`, template_name: prefix },
      };
      const out = runIsotel(backend, join(dir, `es-data-${r}`));
      const stored = await esCount(es, `${prefix}-logs-*`);
      if (r === 0) {
        await exportDocs(es, `${prefix}-logs-*`, docsFile);
        const t = await es.indices.getIndexTemplate({ name: `${prefix}-logs` });
        mappings = t.index_templates[0].index_template.template.mappings;
      }
      return { ...out, stored };
    },
    async (r) => {
      const index = `${esPrefix(r)}-direct`;
      await es.indices.create({ index, mappings });
      const out = runScenario('bench/backends/es-direct.mjs', [docsFile, index, ES]);
      return { ...out, stored: await esCount(es, index) };
    },
  );
  return tableRows('Elasticsearch', result, 'direct _bulk (fetch, NDJSON create)');
}

async function esCount(es, index) {
  await es.indices.refresh({ index });
  return (await es.count({ index })).count;
}

/** The stored documents, as NDJSON (`_source`), for the direct loader. */
async function exportDocs(es, index, file) {
  const out = createWriteStream(file);
  let page = await es.search({ index, scroll: '1m', size: 5000, sort: ['_doc'] });
  while (page.hits.hits.length > 0) {
    if (!out.write(page.hits.hits.map((h) => JSON.stringify(h._source)).join('\n') + '\n')) await once(out, 'drain');
    page = await es.scroll({ scroll_id: page._scroll_id, scroll: '1m' });
  }
  await es.clearScroll({ scroll_id: page._scroll_id });
  out.end();
  await once(out, 'finish');
}

// ---- PostgreSQL

const pgSchema = (r) => `isotel_bench_${ID}_${r}`;

async function benchPostgres(pool, dir) {
  const rowsFile = join(dir, 'pg-rows.jsonl');
  let columns;
  let jsonb;
  const result = await pairs(
    async (r) => {
      const schema = pgSchema(r);
      const backend = { backend_type: 'postgres', config: { ...PG, schema } };
      const out = runIsotel(backend, join(dir, `pg-data-${r}`));
      const stored = await pgCount(pool, `"${schema}".otel_logs`);
      if (r === 0) ({ columns, jsonb } = await exportRows(pool, schema, rowsFile));
      return { ...out, stored };
    },
    async (r) => {
      // Same definition (columns, defaults, indexes, unique record_id) as the table isotel created.
      const table = `"${pgSchema(0)}".direct_${r}`;
      await pool.query(`CREATE TABLE ${table} (LIKE "${pgSchema(0)}".otel_logs INCLUDING ALL)`);
      const out = runScenario('bench/backends/pg-direct.mjs', [rowsFile, table, JSON.stringify(columns), JSON.stringify(jsonb)]);
      return { ...out, stored: await pgCount(pool, table) };
    },
  );
  return tableRows('PostgreSQL', result, 'direct COPY (pg-copy-streams)');
}

async function pgCount(pool, table) {
  return (await pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
}

/** The stored rows (without the serial id) as JSON arrays, JSONB cells as objects, the rest as text. */
async function exportRows(pool, schema, file) {
  const cols = await pool.query(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'otel_logs' AND column_name <> 'id' ORDER BY ordinal_position`,
    [schema],
  );
  const columns = cols.rows.map((c) => c.column_name);
  const jsonb = cols.rows.flatMap((c, i) => (c.data_type === 'jsonb' ? [i] : []));
  const select = cols.rows.map((c) => (c.data_type === 'jsonb' ? `"${c.column_name}"` : `"${c.column_name}"::text`)).join(', ');
  const res = await pool.query({ text: `SELECT ${select} FROM "${schema}".otel_logs ORDER BY id`, rowMode: 'array' });
  const out = createWriteStream(file);
  for (const row of res.rows) if (!out.write(JSON.stringify(row) + '\n')) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  return { columns, jsonb };
}

async function cleanup(es, pool) {
  await es.indices.delete({ index: `isotel-bench-${ID}-*`, allow_no_indices: true, ignore_unavailable: true });
  for (let r = 0; r < RUNS; r++) {
    await es.indices.deleteIndexTemplate({ name: `${esPrefix(r)}-logs,${esPrefix(r)}-traces` }, { ignore: [404] });
    await pool.query(`DROP SCHEMA IF EXISTS "${pgSchema(r)}" CASCADE`);
  }
}
