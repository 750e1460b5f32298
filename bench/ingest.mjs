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
// Metrics (a second table after the logs one): the same with POST /v1/metrics, batches of BATCH metric points
// (ingest/metrics.mjs: half sum, half gauge, 3 attributes each), OTLP JSON only, → JSONL (goal >= 150,000 points/s
// persisted; ratio to the floor's /v1/metrics route, one line per point) and → PostgreSQL's metrics table (goal
// >= 0.9x the direct COPY of the same rows).
//   node bench/run.mjs --only=ingest [--quick]   BENCH_INGEST_N_FS=200000 BENCH_INGEST_N_DB=100000 BENCH_RUNS=3
//   BENCH_INGEST_BACKENDS=filesystem,postgres    BENCH_INGEST_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
//   BENCH_INGEST_SIGNAL=logs,metrics (default both; `metrics` alone for only the metrics table)
import { join } from 'node:path';
import { tempDir, removeDir, countLines, median, printTable, fmt, size, QUICK } from './lib.mjs';
import { buildBodies, sendAll, waitPersisted, percentile } from './ingest/load.mjs';
import { buildProtobufBodies } from './ingest/protobuf.mjs';
import { buildMetricBodies } from './ingest/metrics.mjs';
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
const GOALS = { floor: 0.6, direct: 0.9, rssMb: 300, metricsPerSec: 150_000 }; // the engine issue: >= 0.6x the JSONL floor, >= 0.9x the direct loaders, < 300 MB; issue 12: >= 150,000 points/s to JSONL
const SIGNAL_LIST = (process.env.BENCH_INGEST_SIGNAL ?? 'logs,metrics').split(',');

const encodings = {
  json: { label: 'OTLP JSON', contentType: 'application/json', build: buildBodies },
  protobuf: { label: 'OTLP protobuf', contentType: 'application/x-protobuf', build: buildProtobufBodies },
};
/** Per signal: its route, how its JSON bodies are built, the JSONL encodings and the databases measured. */
const signals = {
  logs: { route: '/v1/logs', unit: 'log records', short: 'rec', buildJson: buildBodies, jsonl: ['json', 'protobuf'], databases: ['postgres', 'elasticsearch'] },
  metrics: { route: '/v1/metrics', unit: 'metric points', short: 'pts', buildJson: buildMetricBodies, jsonl: ['json'], databases: ['postgres'] },
};
const bodies = (signal, encodingName) => (encodingName === 'json' ? signals[signal].buildJson : encodings[encodingName].build);

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

/** `isotel serve` with one backend, loaded with `n` records (or points) in one encoding; and the direct loader after it. */
async function runIngest(backend, encodingName, n, signal) {
  const t = targets[backend];
  const enc = encodings[encodingName];
  const build = bodies(signal, encodingName);
  const send = (url, b) => sendAll(url, b, CONCURRENCY, enc.contentType, signals[signal].route);
  const dir = tempDir('isotel-bench-ingest-');
  const tag = `bi${process.pid}${Date.now() % 100_000}`;
  const serve = await startServe(writeConfig(dir, t.yaml(dir, tag)), join(dir, 'serve.log'), NODE_ARGS);
  try {
    await send(serve.url, build(WARMUP * BATCH, BATCH, `${tag}-warm`));
    await waitPersisted(serve.url);
    const timed = build(n, BATCH, tag);
    global.gc?.();
    const cpu0 = cpuSeconds(serve.child.pid);
    const load = await send(serve.url, timed);
    const persisted = await waitPersisted(serve.url);
    const result = figures(n, load, persisted.at, cpuSeconds(serve.child.pid) - cpu0, peakRssMb(serve.child.pid));
    const stored = await t.stored(dir, tag, signal);
    if (stored !== n + WARMUP * BATCH) throw new Error(`${backend} (${enc.label}): stored ${stored} of ${n + WARMUP * BATCH} records`);
    await serve.stop();
    const direct = t.direct ? await t.direct(tag, dir, signal) : undefined;
    return { ...result, baseline: direct?.perSec };
  } finally {
    await serve.stop();
    await t.cleanup?.(tag).catch((err) => console.error(`cleanup of ${backend} failed:`, err));
    removeDir(dir);
  }
}

/** The JSONL floor loaded with the same `n` records (or points) as OTLP JSON bodies; persisted = answered (fdatasync before 200). */
async function runFloor(n, signal) {
  const { buildJson, route } = signals[signal];
  const send = (url, b) => sendAll(url, b, CONCURRENCY, 'application/json', route);
  const dir = tempDir('isotel-bench-floor-');
  const file = join(dir, 'floor.jsonl');
  const floor = await startFloor(file, join(dir, 'floor.log'));
  try {
    await send(floor.url, buildJson(WARMUP * BATCH, BATCH, 'floor-warm'));
    const timed = buildJson(n, BATCH, 'floor');
    global.gc?.();
    const cpu0 = cpuSeconds(floor.child.pid);
    const load = await send(floor.url, timed);
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
async function runAll(r, signal) {
  const rows = {};
  const { jsonl, databases } = signals[signal];
  if (ONLY.includes('filesystem')) {
    const order = ['floor', ...jsonl];
    if (r % 2 === 1) order.reverse();
    for (const what of order) rows[what] = what === 'floor' ? await runFloor(N_FS, signal) : await runIngest('filesystem', what, N_FS, signal);
    rows.floor.baseline = undefined;
    for (const enc of jsonl) rows[enc].baseline = rows.floor.persisted;
  }
  for (const backend of databases) if (ONLY.includes(backend)) rows[backend] = await runIngest(backend, 'json', N_DB, signal);
  for (const row of Object.values(rows)) row.ratio = row.baseline === undefined ? undefined : row.persisted / row.baseline;
  return rows;
}

const ROWS = { logs: [
  { key: 'json', name: 'ingest → JSONL, OTLP JSON', n: N_FS, baselineName: 'JSONL floor', goal: GOALS.floor },
  { key: 'protobuf', name: 'ingest → JSONL, OTLP protobuf', n: N_FS, baselineName: 'JSONL floor', goal: GOALS.floor },
  { key: 'floor', name: 'JSONL floor (JSON.parse, append, fdatasync)', n: N_FS },
  { key: 'postgres', name: 'ingest → PostgreSQL, OTLP JSON', n: N_DB, baselineName: targets.postgres.directName, goal: GOALS.direct },
  { key: 'elasticsearch', name: 'ingest → Elasticsearch, OTLP JSON', n: N_DB, baselineName: targets.elasticsearch.directName, goal: GOALS.direct },
], metrics: [
  { key: 'json', name: 'ingest /v1/metrics → JSONL, OTLP JSON', n: N_FS, baselineName: 'JSONL floor', goal: GOALS.floor, rateGoal: GOALS.metricsPerSec },
  { key: 'floor', name: 'JSONL floor /v1/metrics (a line per point)', n: N_FS },
  { key: 'postgres', name: 'ingest /v1/metrics → PostgreSQL, OTLP JSON', n: N_DB, baselineName: targets.postgres.directName, goal: GOALS.direct },
] };
const FIELDS = ['accepted', 'persisted', 'p50', 'p99', 'cpuMsPer1000', 'clientCpuMsPer1000', 'rssMb', 'baseline', 'ratio'];

/** Each figure is the median of RUNS runs (this machine is shared; single runs vary by ±30%). */
function medians(runs, key) {
  const of = (k) => (runs[0][key][k] === undefined ? undefined : median(runs.map((r) => r[key][k])));
  return Object.fromEntries(FIELDS.map((k) => [k, of(k)]));
}

const mark = (ok) => (ok ? ' ok' : ' !');

/** One table: the median rows of one signal's runs. */
function printSignal(signal, runs) {
  const { unit, short } = signals[signal];
  const results = ROWS[signal].filter((row) => runs[0][row.key]).map((row) => ({ ...row, signal, ...medians(runs, row.key) }));
  printTable(
    `Ingest${signal === 'metrics' ? ' POST /v1/metrics' : ''} (isotel serve, batches of ${BATCH} ${unit}, ${CONCURRENCY} keep-alive clients over loopback, one backend at a time; ` +
      `median of ${RUNS} run${RUNS === 1 ? '' : 's'}${QUICK ? '; QUICK: small N, figures not meaningful' : ''})`,
    ['path', unit.split(' ')[1], `accepted ${short}/s`, `persisted ${short}/s`, 'p50 ms', 'p99 ms', 'server CPU ms/1000', 'client CPU ms/1000', 'peak RSS MB', 'baseline', `baseline ${short}/s`, 'persisted / baseline'],
    results.map((r) => [
      r.name, fmt.int(r.n), fmt.int(r.accepted), `${fmt.int(r.persisted)}${r.rateGoal ? mark(r.persisted >= r.rateGoal) : ''}`,
      r.p50.toFixed(1), r.p99.toFixed(1), r.cpuMsPer1000.toFixed(1), r.clientCpuMsPer1000.toFixed(1),
      `${r.rssMb.toFixed(0)}${r.key === 'floor' ? '' : mark(r.rssMb < GOALS.rssMb)}`,
      r.baselineName ?? '-', r.baseline ? fmt.int(r.baseline) : '-', r.ratio ? `${fmt.ratio(r.ratio)}${mark(r.ratio >= r.goal)}` : '-',
    ]),
  );
  return results;
}

/** Ingest throughput per signal, backend and encoding, with the ratio to its baseline and the server's peak RSS. */
export async function benchIngest() {
  const results = [];
  for (const signal of SIGNAL_LIST) {
    if (!signals[signal]) throw new Error(`BENCH_INGEST_SIGNAL: unknown signal "${signal}" (logs, metrics)`);
    const runs = [];
    for (let r = 0; r < RUNS; r++) runs.push(await runAll(r, signal));
    results.push(...printSignal(signal, runs));
  }
  console.log(
    `\nBaselines from the same run: JSONL floor = a plain node:http server, JSON.parse of the same OTLP JSON bodies, one append of their lines ` +
      `(a record or a data point each) and one fdatasync per request (also the protobuf row's floor); direct COPY / _bulk = the rows/documents the ingest stored, loaded straight ` +
      `in batches of 1,000, 2 in flight. Goals: persisted / floor >= ${GOALS.floor}x, persisted / direct >= ${GOALS.direct}x, ` +
      `peak RSS (VmHWM of the serve process) < ${GOALS.rssMb} MB; metrics → JSONL >= ${fmt.int(GOALS.metricsPerSec)} points/s persisted.`,
  );
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchIngest();
