// Ingest throughput: `isotel serve` (the built CLI, a child process) with ONE backend at a time, loaded over
// loopback by CONCURRENCY keep-alive clients sending OTLP batches of BATCH log records. Measures records/s
// accepted (client side, every request answered 200), records/s persisted (until /health shows nothing waiting),
// request latency, the server's CPU and its peak RSS (VmHWM), each against a baseline measured in the same run:
//   - JSONL, OTLP JSON and OTLP protobuf bodies: the JSONL floor (ingest/floor.mjs), a plain node:http server
//     that JSON.parses the same JSON bodies and appends them as lines with one fdatasync per request, loaded
//     by the same client at the same concurrency. Protobuf's floor is that same JSON floor: the floor decodes
//     nothing but JSON.parse, so the protobuf row's ratio includes the protobuf decoding.
//   - PostgreSQL and Elasticsearch: a direct loader of the same rows/documents, the backends benchmark's
//     loaders (COPY / _bulk, batches of 1,000, 2 in flight; ingest/direct.mjs).
// Each ratio is taken within a run (baseline and ingest minutes apart, not a whole run apart), then the median.
//   node bench/run.mjs --only=ingest [--quick]   BENCH_INGEST_N_FS=200000 BENCH_INGEST_N_DB=100000 BENCH_RUNS=3
//   BENCH_INGEST_BACKENDS=filesystem,postgres    BENCH_INGEST_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
import { join } from 'node:path';
import { tempDir, removeDir, countLines, median, printTable, fmt, size, QUICK } from './lib.mjs';
import { buildBodies, sendAll, waitPersisted, percentile } from './ingest/load.mjs';
import { buildProtobufBodies } from './ingest/protobuf.mjs';
import { writeConfig, startServe, startFloor } from './ingest/serve.mjs';
import { targets, cpuSeconds, peakRssMb } from './ingest/targets.mjs';

const N_FS = size('BENCH_INGEST_N_FS', 200_000, 20_000);
const N_DB = size('BENCH_INGEST_N_DB', 100_000, 10_000);
const BATCH = 500;
const CONCURRENCY = size('BENCH_INGEST_CLIENTS', 8, 8);
const WARMUP = 4; // batches sent and persisted before the timed run (JIT, connections)
const NODE_ARGS = (process.env.BENCH_INGEST_NODE_ARGS ?? '').split(' ').filter(Boolean);
const ONLY = (process.env.BENCH_INGEST_BACKENDS ?? 'filesystem,postgres,elasticsearch').split(',');
const RUNS = size('BENCH_RUNS', 3, 1);
const GOALS = { floor: 0.6, direct: 0.9, rssMb: 300 }; // the engine issue: >= 0.6x the JSONL floor, >= 0.9x the direct loaders, < 300 MB

const encodings = {
  json: { label: 'OTLP JSON', contentType: 'application/json', build: buildBodies },
  protobuf: { label: 'OTLP protobuf', contentType: 'application/x-protobuf', build: buildProtobufBodies },
};

/** What one timed load gave, from the client's and the server process's side. */
function figures(n, load, persistedAt, cpu, rssMb) {
  return {
    accepted: n / load.seconds,
    persisted: n / ((persistedAt - load.start) / 1000),
    p50: percentile(load.latencies, 50),
    p99: percentile(load.latencies, 99),
    cpuMsPer1000: (cpu * 1000) / (n / 1000),
    clientCpuMsPer1000: (load.clientCpuSeconds * 1000) / (n / 1000),
    rssMb,
    retries: load.retries,
  };
}

/** `isotel serve` with one backend, loaded with `n` records in one encoding; and the direct loader after it. */
async function runIngest(backend, encodingName, n) {
  const t = targets[backend];
  const enc = encodings[encodingName];
  const dir = tempDir('isotel-bench-ingest-');
  const tag = `bi${process.pid}${Date.now() % 100_000}`;
  const serve = await startServe(writeConfig(dir, t.yaml(dir, tag)), join(dir, 'serve.log'), NODE_ARGS);
  try {
    await sendAll(serve.url, enc.build(WARMUP * BATCH, BATCH, `${tag}-warm`), CONCURRENCY, enc.contentType);
    await waitPersisted(serve.url);
    const bodies = enc.build(n, BATCH, tag);
    global.gc?.();
    const cpu0 = cpuSeconds(serve.child.pid);
    const load = await sendAll(serve.url, bodies, CONCURRENCY, enc.contentType);
    const persisted = await waitPersisted(serve.url);
    const result = figures(n, load, persisted.at, cpuSeconds(serve.child.pid) - cpu0, peakRssMb(serve.child.pid));
    const stored = await t.stored(dir, tag);
    if (stored !== n + WARMUP * BATCH) throw new Error(`${backend} (${enc.label}): stored ${stored} of ${n + WARMUP * BATCH} records`);
    await serve.stop();
    const direct = t.direct ? await t.direct(tag, dir) : undefined;
    return { ...result, baseline: direct?.perSec };
  } finally {
    await serve.stop();
    await t.cleanup?.(tag).catch((err) => console.error(`cleanup of ${backend} failed:`, err));
    removeDir(dir);
  }
}

/** The JSONL floor loaded with the same `n` records as OTLP JSON bodies; persisted = answered (fdatasync before 200). */
async function runFloor(n) {
  const dir = tempDir('isotel-bench-floor-');
  const file = join(dir, 'floor.jsonl');
  const floor = await startFloor(file, join(dir, 'floor.log'));
  try {
    await sendAll(floor.url, buildBodies(WARMUP * BATCH, BATCH, 'floor-warm'), CONCURRENCY);
    const bodies = buildBodies(n, BATCH, 'floor');
    global.gc?.();
    const cpu0 = cpuSeconds(floor.child.pid);
    const load = await sendAll(floor.url, bodies, CONCURRENCY);
    const result = figures(n, load, load.start + load.seconds * 1000, cpuSeconds(floor.child.pid) - cpu0, peakRssMb(floor.child.pid));
    await floor.stop();
    const stored = await countLines(file);
    if (stored !== n + WARMUP * BATCH) throw new Error(`JSONL floor: stored ${stored} of ${n + WARMUP * BATCH} records`);
    return result;
  } finally {
    await floor.stop();
    removeDir(dir);
  }
}

/** One run of every row; the JSONL rows alternate their order between runs, and take their floor from the same run. */
async function runAll(r) {
  const rows = {};
  if (ONLY.includes('filesystem')) {
    const order = ['floor', 'json', 'protobuf'];
    if (r % 2 === 1) order.reverse();
    for (const what of order) rows[what] = what === 'floor' ? await runFloor(N_FS) : await runIngest('filesystem', what, N_FS);
    rows.floor.baseline = undefined;
    for (const enc of ['json', 'protobuf']) rows[enc].baseline = rows.floor.persisted;
  }
  for (const backend of ['postgres', 'elasticsearch']) if (ONLY.includes(backend)) rows[backend] = await runIngest(backend, 'json', N_DB);
  for (const row of Object.values(rows)) row.ratio = row.baseline === undefined ? undefined : row.persisted / row.baseline;
  return rows;
}

const ROWS = [
  { key: 'json', name: 'ingest → JSONL, OTLP JSON', n: N_FS, baselineName: 'JSONL floor', goal: GOALS.floor },
  { key: 'protobuf', name: 'ingest → JSONL, OTLP protobuf', n: N_FS, baselineName: 'JSONL floor', goal: GOALS.floor },
  { key: 'floor', name: 'JSONL floor (JSON.parse, append, fdatasync)', n: N_FS },
  { key: 'postgres', name: 'ingest → PostgreSQL, OTLP JSON', n: N_DB, baselineName: targets.postgres.directName, goal: GOALS.direct },
  { key: 'elasticsearch', name: 'ingest → Elasticsearch, OTLP JSON', n: N_DB, baselineName: targets.elasticsearch.directName, goal: GOALS.direct },
];
const FIELDS = ['accepted', 'persisted', 'p50', 'p99', 'cpuMsPer1000', 'clientCpuMsPer1000', 'rssMb', 'baseline', 'ratio'];

/** Each figure is the median of RUNS runs (this machine is shared; single runs vary by ±30%). */
function medians(runs, key) {
  const of = (k) => (runs[0][key][k] === undefined ? undefined : median(runs.map((r) => r[key][k])));
  return Object.fromEntries(FIELDS.map((k) => [k, of(k)]));
}

const mark = (ok) => (ok ? ' ok' : ' !');

/** Ingest throughput per backend and encoding, with the ratio to its baseline and the server's peak RSS. */
export async function benchIngest() {
  const runs = [];
  for (let r = 0; r < RUNS; r++) runs.push(await runAll(r));
  const results = ROWS.filter((row) => runs[0][row.key]).map((row) => ({ ...row, ...medians(runs, row.key) }));
  printTable(
    `Ingest (isotel serve, batches of ${BATCH} log records, ${CONCURRENCY} keep-alive clients over loopback, one backend at a time; ` +
      `median of ${RUNS} run${RUNS === 1 ? '' : 's'}${QUICK ? '; QUICK: small N, figures not meaningful' : ''})`,
    ['path', 'records', 'accepted rec/s', 'persisted rec/s', 'p50 ms', 'p99 ms', 'server CPU ms/1000', 'client CPU ms/1000', 'peak RSS MB', 'baseline', 'baseline rec/s', 'persisted / baseline'],
    results.map((r) => [
      r.name, fmt.int(r.n), fmt.int(r.accepted), fmt.int(r.persisted), r.p50.toFixed(1), r.p99.toFixed(1), r.cpuMsPer1000.toFixed(1), r.clientCpuMsPer1000.toFixed(1),
      `${r.rssMb.toFixed(0)}${r.key === 'floor' ? '' : mark(r.rssMb < GOALS.rssMb)}`,
      r.baselineName ?? '-', r.baseline ? fmt.int(r.baseline) : '-', r.ratio ? `${fmt.ratio(r.ratio)}${mark(r.ratio >= r.goal)}` : '-',
    ]),
  );
  console.log(
    `\nBaselines from the same run: JSONL floor = a plain node:http server, JSON.parse of the same OTLP JSON bodies, one append of their lines ` +
      `and one fdatasync per request (also the protobuf row's floor); direct COPY / _bulk = the rows/documents the ingest stored, loaded straight ` +
      `in batches of 1,000, 2 in flight. Goals: persisted / floor >= ${GOALS.floor}x, persisted / direct >= ${GOALS.direct}x, ` +
      `peak RSS (VmHWM of the serve process) < ${GOALS.rssMb} MB.`,
  );
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchIngest();
