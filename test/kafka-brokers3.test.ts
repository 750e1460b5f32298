/**
 * `isotel serve --role ingest` on a private three-broker cluster (scripts/kafka.sh --brokers 3 with
 * KAFKA_PORT_BASE=29192: replication factor 3, min.insync.replicas=2), one broker SIGKILLed mid-run and left
 * down: with acks=all an acknowledged batch is on at least two brokers, so the two that remain hold every
 * acknowledged record (read back from the topic while the third is still down), and a writer stores each
 * once in PostgreSQL: 0 lost, 0 doubled.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../src/collector-endpoint/serve.js';
import { startIngestRole, startPgWriter, untilInPostgres } from './helpers/kafka-roles.js';
import { decodeLogs, decodeLogsProtobuf } from '../src/shared/otlp/index.js';
import { createTopicsOn, privateKafka, readTopics, uniqueTopic } from './helpers/kafka.js';
import { compare, runLoad } from './helpers/kafka-load.js';
import { dropTagged } from './helpers/cleanup.js';

const kafka = privateKafka(29192, 3);
const tag = `kbrokers3${process.pid}`;
const topics = { logs: uniqueTopic(`${tag}-logs`), spans: uniqueTopic(`${tag}-spans`), metrics: uniqueTopic(`${tag}-metrics`), dead_letter: uniqueTopic(`${tag}-dlq`) };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let dir: string;
/** The writer reads from the two brokers left. */
const WRITER_BROKERS = kafka.brokers.filter((_, i) => i !== 1);
let ingest: RunningServer | undefined;
let writer: RunningServer | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-kafka-3-'));
  await kafka.start();
  await createTopicsOn(kafka.brokers, [topics.logs, topics.spans, topics.metrics, topics.dead_letter], 3, 3);
  ingest = await startIngestRole(kafka.brokers, topics, 5);
});

afterAll(async () => {
  await ingest?.close();
  await writer?.close();
  await kafka.stop().catch(() => undefined); // three private brokers hold 1.5 GB of this shared machine
  await dropTagged(tag).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('three brokers, one SIGKILLed mid-run', () => {
  it('acknowledges only replicated records: all on the two brokers left, each stored once', async () => {
    const url = ingest!.url;
    const load = runLoad({ tag, batches: 120, size: 50, senders: 4, pace: 400, pick: () => url });
    await sleep(5000);
    await kafka.kill(2);
    const stats = await load;
    expect(stats.acked.size).toBe(6000);

    const onTopic = new Map<string, number>();
    await readTopics([topics.logs], (msgs) => {
      onTopic.clear();
      for (const m of msgs) for (const r of decodeLogs(decodeLogsProtobuf(m.value)).records) onTopic.set(r.record_id, (onTopic.get(r.record_id) ?? 0) + 1);
      return compare(stats.acked, onTopic).missing === 0;
    }, { brokers: WRITER_BROKERS, timeoutMs: 90_000, idleMs: 500 });
    expect(compare(stats.acked, onTopic).missing).toBe(0);

    writer = await startPgWriter(tag, dir, WRITER_BROKERS, topics);
    const stored = await untilInPostgres(tag, stats.acked);
    expect(compare(stats.acked, stored)).toEqual({ missing: 0, doubled: 0 });
    const doubledOnTopic = [...onTopic.values()].filter((n) => n > 1).length;
    console.log(`three brokers: ${stats.acked.size} acknowledged (${stats.unavailable} answers 503, ${stats.refused} refused), all on the 2 brokers left (${doubledOnTopic} records twice on the topic), ${stored.size} stored once`);
  });
});
