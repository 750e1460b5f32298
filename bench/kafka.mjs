// Kafka (issue 13), two tables (the first only when BENCH_KAFKA_TABLES names it) against the broker scripts/kafka.sh runs (one broker, 127.0.0.1:9092):
// 1. Clients: @platformatic/kafka vs kafkajs, each in its own process (bench/kafka/clients.mjs), the order
//    alternated between runs, a fresh topic (3 partitions) per client and run: N ~1 KB messages, idempotent
//    producer, acks=all, batches of BENCH_KAFKA_BATCH awaited one at a time (p50/p99 = time from send to the
//    broker's acknowledgment of a batch), then a new consumer group reads all N from the beginning.
// 2. End to end (bench/kafka/e2e.mjs): OTLP protobuf over HTTP → `--role ingest` → Kafka → `--role writer` →
//    PostgreSQL, the produce path alone, and the single-process `--role all` path, same bodies and clients,
//    with the CPU of each process per 1,000 records (where the time goes).
//   node bench/run.mjs --only=kafka [--quick]   BENCH_RUNS=3 BENCH_KAFKA_N=100000 BENCH_KAFKA_BATCH=1000
//   BENCH_KAFKA_E2E_N=40000 BENCH_KAFKA_WRITER_N=(all) BENCH_KAFKA_E2E_RUNS=1 BENCH_KAFKA_PARTITIONS=6 BENCH_KAFKA_CLIENTS=8
//   BENCH_KAFKA_TABLES=e2e (the default: about 2-3 minutes at a load average of 23) or clients,e2e (the client table
//   alone took 3.5 minutes at that load: a one-time comparison, so it runs only when asked for)
import { fileURLToPath } from 'node:url';
import { printTable, fmt, size, median, runScenario, QUICK } from './lib.mjs';
import { benchKafkaE2E } from './kafka/e2e-table.mjs';

const RUNS = size('BENCH_RUNS', 3, 1);
const N = size('BENCH_KAFKA_N', 100_000, 10_000);
const BATCH = size('BENCH_KAFKA_BATCH', 1000, 1000);
const TABLES = (process.env.BENCH_KAFKA_TABLES || 'e2e').split(',');
const CLIENTS = [
  ['platformatic', '@platformatic/kafka 1.35.0'],
  ['kafkajs', 'kafkajs 2.2.4'],
];
const script = fileURLToPath(new URL('./kafka/clients.mjs', import.meta.url));

async function benchKafkaClients() {
  const byClient = Object.fromEntries(CLIENTS.map(([k]) => [k, []]));
  const stamp = Date.now().toString(36);
  for (let r = 0; r < RUNS; r++) {
    const order = r % 2 === 0 ? CLIENTS : [...CLIENTS].reverse();
    for (const [key] of order) byClient[key].push(runScenario(script, [key, `bench-${key}-${stamp}-${r}`, String(N), String(BATCH)]));
  }
  const rows = CLIENTS.map(([key, name]) => {
    const runs = byClient[key];
    const m = (f) => median(runs.map(f));
    return [name, fmt.int(m((x) => x.producePerSec)), m((x) => x.p50AckMs).toFixed(1), m((x) => x.p99AckMs).toFixed(1), fmt.int(m((x) => x.consumePerSec))];
  });
  printTable(
    `Kafka clients: ${N.toLocaleString('en-US')} messages of 1 KB, idempotent producer, acks=all, batches of ${BATCH}, one in flight; ` +
      `then a new consumer group from the beginning (median of ${RUNS} run${RUNS === 1 ? '' : 's'}${QUICK ? '; QUICK: small N' : ''})`,
    ['client', 'produce records/s', 'p50 ack ms', 'p99 ack ms', 'consume records/s'],
    rows,
  );
}

export async function benchKafka() {
  if (TABLES.includes('clients')) await benchKafkaClients();
  if (TABLES.includes('e2e')) await benchKafkaE2E();
}
