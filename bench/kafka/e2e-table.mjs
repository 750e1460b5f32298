// The end-to-end table of the kafka group (see bench/kafka.mjs and e2e.mjs): the same OTLP protobuf bodies through
// `--role all`, through ingest → Kafka → writer, and through ingest → Kafka alone; ratios against `--role all`.
import { loadavg } from 'node:os';
import { printTable, fmt, size, median, QUICK } from '../lib.mjs';
import { buildProtobufBodies } from '../ingest/protobuf.mjs';
import { runKafkaScenario } from './e2e.mjs';

// The writer row can be given fewer records (BENCH_KAFKA_WRITER_N; by default all of them): it stored 64-82
// records/s while the writer took one message at a time and the ingest produced one message per trace id.
const N = size('BENCH_KAFKA_E2E_N', 40_000, 5_000);
const N_WRITER = Math.min(N, size('BENCH_KAFKA_WRITER_N', N, N));
const RUNS = size('BENCH_KAFKA_E2E_RUNS', 1, 1);
const PARTITIONS = size('BENCH_KAFKA_PARTITIONS', 6, 6);
const CLIENTS = size('BENCH_KAFKA_CLIENTS', 8, 8);
const BATCH = 500;
const WARMUP = 4; // batches sent (and stored) before the timed load
const ROWS = [
  ['all', '--role all: HTTP → ingest → WAL → PostgreSQL (1 process)'],
  ['e2e', 'HTTP → --role ingest → Kafka → --role writer → PostgreSQL'],
  ['produce', 'HTTP → --role ingest → Kafka acknowledged (no writer)'],
];

const ms = (x) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(1));

export async function benchKafkaE2E() {
  const stamp = Date.now().toString(36);
  const tag = `kafkabench-${stamp}`;
  const bodies = buildProtobufBodies(N, BATCH, tag);
  const writerBodies = bodies.slice(0, Math.ceil(N_WRITER / BATCH));
  const warm = buildProtobufBodies(WARMUP * BATCH, BATCH, `${tag}-warm`);
  const load = [loadavg()[0]];
  const runs = Object.fromEntries(ROWS.map(([k]) => [k, []]));
  const t0 = performance.now();
  for (let r = 0; r < RUNS; r++) {
    const order = r % 2 === 0 ? ROWS : [...ROWS].reverse();
    for (const [kind] of order) {
      const opts = { clients: CLIENTS, partitions: PARTITIONS, stamp: `${stamp}${r}`, timeoutMs: 600_000 };
      const [b, n] = kind === 'e2e' ? [writerBodies, Math.min(N, writerBodies.length * BATCH)] : [bodies, N];
      runs[kind].push({ n, ...(await runKafkaScenario(kind, b, n, warm, WARMUP * BATCH, opts)) });
      load.push(loadavg()[0]);
    }
  }
  const m = (kind, f) => {
    const xs = runs[kind].map(f);
    return xs.some((x) => x === undefined) ? undefined : median(xs);
  };
  const allStored = m('all', (x) => x.stored);
  const allAccepted = m('all', (x) => x.accepted);
  const rows = ROWS.map(([kind, name]) => {
    const stored = m(kind, (x) => x.stored);
    const accepted = m(kind, (x) => x.accepted);
    return [
      name, fmt.int(m(kind, (x) => x.n)), fmt.int(accepted), stored === undefined ? '-' : fmt.int(stored), ms(m(kind, (x) => x.p50)), ms(m(kind, (x) => x.p99)),
      ms(m(kind, (x) => x.cpu.ingest)), ms(m(kind, (x) => x.cpu.writer)), ms(m(kind, (x) => x.cpu.postgres)), ms(m(kind, (x) => x.cpu.broker)),
      fmt.ratio(accepted / allAccepted), stored === undefined ? '-' : fmt.ratio(stored / allStored),
    ];
  });
  printTable(
    `Kafka end to end: log records as OTLP protobuf (the same bodies${N_WRITER < N ? `; the writer row the first ${N_WRITER.toLocaleString('en-US')}` : ''}), ${BATCH} per request, ${CLIENTS} keep-alive clients; ` +
      `fresh topics (${PARTITIONS} partitions), group and table per run; median of ${RUNS} run${RUNS === 1 ? '' : 's'}, ` +
      `${((performance.now() - t0) / 1000).toFixed(0)} s; load average ${load.map((l) => l.toFixed(1)).join(' → ')}${QUICK ? '; QUICK: small N' : ''}`,
    ['path', 'records', 'accepted rec/s', 'stored in PostgreSQL rec/s', 'p50 ms', 'p99 ms', 'ingest CPU ms/1000', 'writer CPU ms/1000',
      'PostgreSQL CPU ms/1000', 'broker CPU ms/1000', 'accepted / all', 'stored / all'],
    rows,
  );
  console.log(
    '\nCPU ms per 1,000 records, /proc utime+stime from the first timed request until the last record was stored: "ingest" is the process ' +
      'that answers HTTP (in --role all it also writes its WAL and PostgreSQL); PostgreSQL = the backends of that process\'s connections ' +
      '(not the shared walwriter/checkpointer); broker = the whole Kafka JVM (shared with other users of the broker). ' +
      'For the produce row the request latency is the acknowledgment latency (answered after acks=all).',
  );
  return runs;
}
