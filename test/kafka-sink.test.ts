/**
 * The kafka backend against the real broker of scripts/kafka.sh: a Node service's records go through its
 * delivery engine to the topics as OTLP protobuf, each record exactly once, keyed by trace id; while Kafka is
 * stopped they wait in the engine's log and arrive when it is back.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureLogger } from '../src/node/index.js';
import type { Logger } from '../src/node/logger.js';
import { decodeLogs, decodeSpans, decodeLogsProtobuf, decodeTracesProtobuf } from '../src/shared/otlp/index.js';
import { BROKERS, createTopics, partitionOfKey, readTopics, startKafka, stopKafka, uniqueTopic, type ReadMessage } from './helpers/kafka.js';

let logger: Logger;
let dir: string;
const topics = { logs: uniqueTopic('logs'), spans: uniqueTopic('spans'), metrics: uniqueTopic('kafkametrics-sink') };

beforeAll(async () => {
  await startKafka();
  await createTopics([topics.logs, topics.spans, topics.metrics]);
  dir = mkdtempSync(join(tmpdir(), 'isotel-kafka-sink-'));
  logger = await configureLogger({
    config: {
      logger: {
        service_name: 'orders',
        enable_console: false,
        data_dir: join(dir, 'data'),
        backends: [{ backend_type: 'kafka', config: { brokers: BROKERS, topics, retry_delay: 0.2, max_retries: 3, circuit_breaker_timeout: 2, timeout: 5 } }],
      },
    },
    exitHooks: false,
    diagSink: (level, message) => void (process.env.KDEBUG && console.error('diag', level, message.slice(0, 300))),
  });
});

afterAll(async () => {
  await logger?.close();
  await startKafka(); // whatever a test did, the next file finds the broker up
  rmSync(dir, { recursive: true, force: true });
});

interface Seen { ids: string[]; runOf: Map<string, unknown>; traceOf: Map<string, string | undefined>; partitions: Map<string, number>; keyPartitions: Map<string, number> }

function decodeAll(messages: ReadMessage[]): Seen {
  const seen: Seen = { ids: [], runOf: new Map(), traceOf: new Map(), partitions: new Map(), keyPartitions: new Map() };
  const place = (id: string, m: ReadMessage) => {
    seen.partitions.set(id, m.partition);
    seen.keyPartitions.set(id, partitionOfKey(m.key.toString()));
  };
  for (const m of messages) {
    if (m.topic === topics.logs) {
      const { records, errors } = decodeLogs(decodeLogsProtobuf(m.value));
      expect(errors).toEqual([]);
      for (const r of records) {
        seen.ids.push(r.record_id);
        seen.runOf.set(r.record_id, r.attributes.run);
        seen.traceOf.set(r.record_id, r.trace_id);
        place(r.record_id, m);
      }
    } else {
      for (const s of decodeSpans(decodeTracesProtobuf(m.value)).records) {
        seen.ids.push(`${s.trace_id}-${s.span_id}`);
        place(`${s.trace_id}-${s.span_id}`, m);
      }
    }
  }
  return seen;
}

const idsOfRun = (s: Seen, run: string) => s.ids.filter((id) => s.runOf.get(id) === run);

describe('kafka backend with a real broker', () => {
  it('produces every record exactly once as OTLP protobuf, in the partition of its trace id (record id without one)', async () => {
    const N = 3000;
    const traceId = logger.withSpan('checkout', { order: 7 }, () => {
      for (let i = 0; i < N / 2; i++) logger.info('in span', { i, run: 'first' });
      return logger.activeTraceId();
    });
    for (let i = N / 2; i < N; i++) logger.info('no span', { i, run: 'first' });
    await logger.flush();
    const seen = decodeAll(await readTopics([topics.logs, topics.spans], (m) => idsOfRun(decodeAll(m), 'first').length >= N));
    const first = idsOfRun(seen, 'first');
    expect(first).toHaveLength(N);
    expect(new Set(first).size).toBe(N);
    // One message per partition and batch: each record where its key (trace id, else record id) hashes to, and
    // the message's own key maps to that partition too.
    for (const id of first) {
      expect(seen.partitions.get(id)).toBe(partitionOfKey(seen.traceOf.get(id) ?? id));
      expect(seen.keyPartitions.get(id)).toBe(seen.partitions.get(id));
    }
    expect(first.filter((id) => seen.traceOf.get(id) === traceId)).toHaveLength(N / 2);
  });

  it('keeps records in the engine log while Kafka is stopped and delivers them when it is back', async () => {
    await stopKafka();
    for (let i = 0; i < 500; i++) logger.info('during outage', { i, run: 'outage' });
    await logger.flush();
    await new Promise((r) => setTimeout(r, 3000));
    const health = logger.health().backends[0];
    expect(health.state).toMatch(/retrying|circuit_open/);
    expect(health.waiting_on_disk).toBeGreaterThanOrEqual(500);
    await startKafka();
    const seen = decodeAll(await readTopics([topics.logs], (m) => idsOfRun(decodeAll(m), 'outage').length >= 500, { timeoutMs: 120_000 }));
    const outage = idsOfRun(seen, 'outage');
    expect(new Set(outage).size).toBe(500);
    expect(outage).toHaveLength(500);
  });
});
