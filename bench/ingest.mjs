// Ingest throughput: `isotel serve` (the built CLI, a child process) with ONE backend at a time, loaded over
// loopback by CONCURRENCY keep-alive clients sending OTLP JSON batches of BATCH log records. Measures records/s
// accepted (client side, every request answered 200), records/s persisted (until /health shows nothing waiting),
// request latency, the server's CPU, and for PostgreSQL and Elasticsearch the ratio to a direct loader of the
// same rows/documents: the backends benchmark's loaders (COPY / _bulk, batches of 1,000, 2 in flight).
//   node bench/run.mjs --only=ingest            BENCH_INGEST_N_FS=200000 BENCH_INGEST_N_DB=100000
//   BENCH_INGEST_BACKENDS=filesystem,postgres   BENCH_INGEST_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { tempDir, removeDir, countLines, median, printTable, fmt } from './lib.mjs';
import { buildBodies, sendAll, waitPersisted, percentile } from './ingest/load.mjs';
import { writeConfig, startServe } from './ingest/serve.mjs';
import { pgDirect, esDirect } from './ingest/direct.mjs';

const N_FS = Number(process.env.BENCH_INGEST_N_FS ?? 200_000);
const N_DB = Number(process.env.BENCH_INGEST_N_DB ?? 100_000);
const BATCH = 500;
const CONCURRENCY = Number(process.env.BENCH_INGEST_CLIENTS ?? 8);
const WARMUP = 4; // batches sent and persisted before the timed run (JIT, connections)
const ES = process.env.ISOTEL_ES_URL ?? 'http://127.0.0.1:9200';
const PG = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres', database: process.env.PGDATABASE ?? 'test' };
const NODE_ARGS = (process.env.BENCH_INGEST_NODE_ARGS ?? '').split(' ').filter(Boolean);
const ONLY = (process.env.BENCH_INGEST_BACKENDS ?? 'filesystem,postgres,elasticsearch').split(',');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const targets = [
  {
    name: 'filesystem',
    n: N_FS,
    yaml: (dir) => `    - backend_type: filesystem\n      config: { log_file: ${dir}/logs/bench.jsonl, max_bytes: 4294967296 }`,
    stored: (dir) => countLines(join(dir, 'logs', 'bench.jsonl')),
  },
  {
    name: 'postgres',
    n: N_DB,
    yaml: (_dir, tag) => `    - backend_type: postgres\n      config: { host: ${PG.host}, port: ${PG.port}, database: ${PG.database}, user: ${PG.user}, table_name: ${tag}_logs, spans_table_name: ${tag}_spans }`,
    async stored(_dir, tag) {
      const pool = new pg.Pool({ ...PG, max: 1 });
      try {
        return (await pool.query(`SELECT count(*)::int AS n FROM ${tag}_logs`)).rows[0].n;
      } finally {
        await pool.end();
      }
    },
    async direct(tag, dir) {
      const pool = new pg.Pool({ ...PG, max: 1 });
      try {
        return await pgDirect(pool, `${tag}_logs`, `${tag}_direct`, dir);
      } finally {
        await pool.end();
      }
    },
    async cleanup(tag) {
      const pool = new pg.Pool({ ...PG, max: 1 });
      await pool.query(`DROP TABLE IF EXISTS ${tag}_logs, ${tag}_spans, ${tag}_direct`);
      await pool.end();
    },
  },
  {
    name: 'elasticsearch',
    n: N_DB,
    yaml: (_dir, tag) => `    - backend_type: elasticsearch\n      config: { hosts: ["${ES}"], index_pattern: "${tag}-logs-%Y.%m.%d", span_index_pattern: "${tag}-traces-%Y.%m.%d", template_name: ${tag} }`,
    async stored(_dir, tag) {
      await fetch(`${ES}/${tag}-logs-*/_refresh`, { method: 'POST' });
      return (await (await fetch(`${ES}/${tag}-logs-*/_count`)).json()).count;
    },
    direct: (tag, dir) => esDirect(ES, `${tag}-logs-*`, `${tag}-logs`, `${tag}-direct`, dir),
    async cleanup(tag) {
      await fetch(`${ES}/${tag}-*`, { method: 'DELETE' });
      await fetch(`${ES}/_index_template/${tag}-*`, { method: 'DELETE' });
    },
  },
];

/** utime + stime of a process, in seconds (Linux /proc). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN; // not Linux: the column shows NaN
  }
}

async function runOne(t) {
  const dir = tempDir('isotel-bench-ingest-');
  const tag = `bi${process.pid}${Date.now() % 100_000}`;
  const serve = await startServe(writeConfig(dir, t.yaml(dir, tag)), join(dir, 'serve.log'), NODE_ARGS);
  try {
    await sendAll(serve.url, buildBodies(WARMUP * BATCH, BATCH, `${tag}-warm`), CONCURRENCY);
    await waitPersisted(serve.url);
    const bodies = buildBodies(t.n, BATCH, tag);
    global.gc?.();
    const cpu0 = cpuSeconds(serve.child.pid);
    const load = await sendAll(serve.url, bodies, CONCURRENCY);
    const persisted = await waitPersisted(serve.url);
    const cpu = cpuSeconds(serve.child.pid) - cpu0;
    const stored = await t.stored(dir, tag);
    if (stored !== t.n + WARMUP * BATCH) throw new Error(`${t.name}: stored ${stored} of ${t.n + WARMUP * BATCH} records`);
    await serve.stop();
    const direct = t.direct ? await t.direct(tag, dir) : undefined;
    const persistSeconds = (persisted.at - load.start) / 1000;
    return {
      name: t.name,
      n: t.n,
      accepted: t.n / load.seconds,
      persisted: t.n / persistSeconds,
      p50: percentile(load.latencies, 50),
      p99: percentile(load.latencies, 99),
      cpuMsPer1000: (cpu * 1000) / (t.n / 1000),
      clientCpuMsPer1000: (load.clientCpuSeconds * 1000) / (t.n / 1000),
      retries: load.retries,
      direct: direct?.perSec,
      ratio: direct ? t.n / persistSeconds / direct.perSec : undefined,
    };
  } finally {
    await serve.stop();
    await t.cleanup?.(tag).catch((err) => console.error(`cleanup of ${t.name} failed:`, err));
    removeDir(dir);
  }
}

/** Each figure is the median of RUNS runs (this machine is shared; single runs vary by ±30%). */
function medians(runs) {
  const m = (k) => (runs[0][k] === undefined ? undefined : median(runs.map((r) => r[k])));
  return { name: runs[0].name, n: runs[0].n, ...Object.fromEntries(['accepted', 'persisted', 'p50', 'p99', 'cpuMsPer1000', 'clientCpuMsPer1000', 'direct', 'ratio'].map((k) => [k, m(k)])) };
}

/** Ingest throughput per backend, and the ratio to the direct loader. */
export async function benchIngest() {
  const results = [];
  for (const t of targets) {
    if (!ONLY.includes(t.name)) continue;
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runOne(t));
    results.push(medians(runs));
  }
  printTable(
    `Ingest (isotel serve, OTLP JSON batches of ${BATCH}, ${CONCURRENCY} clients over loopback, one backend at a time; median of ${RUNS} runs)`,
    ['backend', 'records', 'accepted rec/s', 'persisted rec/s', 'p50 ms', 'p99 ms', 'server CPU ms/1000', 'client CPU ms/1000', 'direct loader rec/s', 'persisted / direct'],
    results.map((r) => [
      r.name, fmt.int(r.n), fmt.int(r.accepted), fmt.int(r.persisted), r.p50.toFixed(1), r.p99.toFixed(1), r.cpuMsPer1000.toFixed(1), r.clientCpuMsPer1000.toFixed(1),
      r.direct ? fmt.int(r.direct) : '-', r.ratio ? fmt.ratio(r.ratio) : '-',
    ]),
  );
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchIngest();
