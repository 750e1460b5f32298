// The scenarios of the end-to-end Kafka table (bench/kafka.mjs), each with the built CLI in its own processes and
// the ingest benchmark's load client (8 keep-alive clients, OTLP protobuf bodies of 500 records built once):
//   all:     HTTP → `isotel serve` (--role all: ingest → WAL → PostgreSQL), one process
//   e2e:     HTTP → `--role ingest` → Kafka (fresh topics) → `--role writer` (fresh group, own WAL) → PostgreSQL
//   produce: HTTP → `--role ingest` → Kafka acknowledged, no writer (the request latency is the ack latency)
// Stored = the time from the first request until SELECT count(*) of the run's fresh table shows every record.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { Admin } from '@platformatic/kafka';
import { tempDir, removeDir } from '../lib.mjs';
import { sendAll, percentile } from '../ingest/load.mjs';
import { writeConfig, startServe } from '../ingest/serve.mjs';
import { targets, cpuSeconds } from '../ingest/targets.mjs';
import { pgBackendPids, listenerPid, cpuOf } from './procs.mjs';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const PROTOBUF = 'application/x-protobuf';
const PG = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres', database: process.env.PGDATABASE ?? 'test' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function createTopics(tag, partitions) {
  const topics = { logs: `${tag}-logs`, spans: `${tag}-spans`, metrics: `${tag}-metrics`, dead_letter: `${tag}-dlq` };
  const admin = new Admin({ clientId: 'kafkabench-admin', bootstrapBrokers: BROKERS });
  try {
    await admin.createTopics({ topics: Object.values(topics), partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
  return { topics, delete: () => deleteTopics(Object.values(topics)) };
}

async function deleteTopics(names) {
  const admin = new Admin({ clientId: 'kafkabench-admin', bootstrapBrokers: BROKERS });
  try {
    await admin.deleteTopics({ topics: names });
  } finally {
    await admin.close();
  }
}

const kafkaYaml = (topics, group) => `kafka:
  brokers: [${BROKERS.join(', ')}]
  group_id: ${group}
  topics: { logs: ${topics.logs}, spans: ${topics.spans}, metrics: ${topics.metrics}, dead_letter: ${topics.dead_letter} }
  max_wait: 0.1
`;

/** One `isotel serve` in its own directory (config, WAL, log), with the run's PostgreSQL table as its backend. */
function serve(dir, name, tag, role, extraYaml = '') {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  // BENCH_KAFKA_PROF=<dir>: a V8 CPU profile of each process (written when it exits on the SIGTERM at the end).
  const prof = process.env.BENCH_KAFKA_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_KAFKA_PROF}`, `--cpu-prof-name=${role}-${Date.now()}.cpuprofile`] : [];
  return startServe(writeConfig(d, targets.postgres.yaml(d, tag), extraYaml), join(dir, `${name}.log`), prof, ['--role', role]);
}

/** Resolves with performance.now() once the table holds `n` rows (polled; a table not created yet counts 0). */
async function waitRows(pool, tag, n, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const rows = await pool.query(`SELECT count(*)::int AS n FROM ${tag}_logs`).then((r) => r.rows[0].n, () => 0);
    if (rows >= n) return { at: performance.now(), rows };
    if (Date.now() > end) throw new Error(`${tag}_logs: ${rows} of ${n} rows after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** CPU of the scenario's processes: node processes by pid, the PostgreSQL backends of `pgClients`, the broker. */
async function cpuMeter(pool, procs, pgClients, withBroker) {
  const broker = withBroker ? listenerPid(Number(BROKERS[0].split(':').pop())) : undefined;
  const pgPids = async () => (await Promise.all(pgClients.map((p) => pgBackendPids(pool, p.child.pid, PG.port)))).flat();
  const start = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, cpuSeconds(p.child.pid)]));
  const pids0 = await pgPids();
  const pg0 = cpuOf(pids0);
  const broker0 = broker === undefined ? NaN : cpuSeconds(broker);
  return async () => {
    const out = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, cpuSeconds(p.child.pid) - start[k]]));
    const pids = [...new Set([...pids0, ...(await pgPids())])];
    out.postgres = pgClients.length === 0 ? NaN : cpuOf(pids, pg0.now).total;
    out.broker = broker === undefined ? NaN : cpuSeconds(broker) - broker0;
    return out;
  };
}

function figures(n, load, storedAt, cpu) {
  const per1000 = (s) => (s * 1000) / (n / 1000);
  return {
    accepted: n / load.seconds,
    stored: storedAt === undefined ? undefined : n / ((storedAt - load.start) / 1000),
    p50: percentile(load.latencies, 50),
    p99: percentile(load.latencies, 99),
    retries: load.retries,
    cpu: Object.fromEntries(Object.entries(cpu).map(([k, s]) => [k, per1000(s)])),
  };
}

/**
 * Runs one scenario (`all`, `e2e` or `produce`) with `bodies` (n records) after `warm` (warmN records);
 * `opts`: { clients, partitions, stamp, timeoutMs }.
 */
export async function runKafkaScenario(kind, bodies, n, warm, warmN, opts) {
  const tag = `kafkabench_${opts.stamp}_${kind}`;
  const dir = tempDir(`isotel-kafkabench-${kind}-`);
  const pool = new pg.Pool({ ...PG, max: 1 });
  const kafka = kind === 'all' ? undefined : await createTopics(tag.replaceAll('_', '-'), opts.partitions);
  const yaml = kafka ? kafkaYaml(kafka.topics, `${tag}-writers`) : '';
  const procs = {};
  try {
    if (kind === 'all') procs.ingest = await serve(dir, 'all', tag, 'all');
    if (kind === 'e2e') procs.writer = await serve(dir, 'writer', tag, 'writer', yaml);
    if (kind !== 'all') procs.ingest = await serve(dir, 'ingest', tag, 'ingest', yaml);
    const stores = kind !== 'produce';
    await sendAll(procs.ingest.url, warm, opts.clients, PROTOBUF);
    if (stores) await waitRows(pool, tag, warmN, opts.timeoutMs);
    const pgClients = kind === 'all' ? [procs.ingest] : kind === 'e2e' ? [procs.writer] : [];
    global.gc?.();
    const meter = await cpuMeter(pool, procs, pgClients, kind !== 'all');
    const load = await sendAll(procs.ingest.url, bodies, opts.clients, PROTOBUF);
    const stored = stores ? await waitRows(pool, tag, warmN + n, opts.timeoutMs) : undefined;
    const cpu = await meter();
    if (stored && stored.rows !== warmN + n) throw new Error(`${kind}: ${stored.rows} rows, expected ${warmN + n}`);
    if (kind === 'produce') {
      const h = await (await fetch(`${procs.ingest.url}/health`)).json();
      const acked = h.kafka_ingest?.produce?.acknowledged_records;
      if (acked !== undefined && acked < warmN + n) throw new Error(`produce: ${acked} records acknowledged, expected ${warmN + n}`);
    }
    return figures(n, load, stored?.at, cpu);
  } finally {
    for (const p of Object.values(procs)) await p.stop();
    await pool.query(`DROP TABLE IF EXISTS ${tag}_logs, ${tag}_spans`).catch(() => {});
    await pool.end();
    await kafka?.delete().catch(() => {});
    removeDir(dir);
  }
}
