/**
 * `isotel serve --role ingest` while its Kafka is unreachable, on a private broker (scripts/kafka.sh with
 * KAFKA_PORT_BASE=29092; the shared one at 9092 is never stopped): clients keep sending; while the broker is
 * down the ingest answers 503 with Retry-After and acknowledges nothing; after the broker is back every batch
 * goes through, and a writer then stores every acknowledged record in PostgreSQL exactly once.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../src/collector-endpoint/serve.js';
import { startIngestRole, startPgWriter, untilInPostgres } from './helpers/kafka-roles.js';
import { createTopicsOn, privateKafka, uniqueTopic } from './helpers/kafka.js';
import { compare, runLoad } from './helpers/kafka-load.js';
import { dropTagged } from './helpers/cleanup.js';

const kafka = privateKafka(29092);
const tag = `kingestout${process.pid}`;
const topics = { logs: uniqueTopic(`${tag}-logs`), spans: uniqueTopic(`${tag}-spans`), metrics: uniqueTopic(`${tag}-metrics`), dead_letter: uniqueTopic(`${tag}-dlq`) };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let dir: string;
const WRITER_BROKERS = kafka.brokers;
let ingest: RunningServer | undefined;
let writer: RunningServer | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-kafka-ingest-'));
  await kafka.start();
  await createTopicsOn(kafka.brokers, [topics.logs, topics.spans, topics.metrics, topics.dead_letter]);
  ingest = await startIngestRole(kafka.brokers, topics, 3);
});

afterAll(async () => {
  await ingest?.close();
  await writer?.close();
  await kafka.stop().catch(() => undefined); // a private broker holds 0.5 GB of this shared machine
  await dropTagged(tag).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

interface Health { status: string; kafka_ingest: { breaker: string; produce: { errors: number; acknowledged_records: number; ack_ms: { p99: number } } } }

describe('isotel serve --role ingest, Kafka unreachable', () => {
  it('answers 503 with Retry-After while the broker is down, acknowledges nothing then, and loses nothing it acknowledged', async () => {
    const url = ingest!.url;
    const load = runLoad({ tag, batches: 160, size: 50, senders: 4, pace: 800, pick: () => url });
    await sleep(3000);
    const ackedBefore = (await health(url)).kafka_ingest.produce.acknowledged_records;
    const downAt = Date.now();
    await kafka.stop();
    await sleep(3000);
    const during = await health(url);
    const ackedDuring = during.kafka_ingest.produce.acknowledged_records;
    const metricsDuring = await (await fetch(`${url}/metrics`)).text();
    await sleep(5000);
    // Nothing acknowledged while the broker was down (a round in flight at the stop may still have been taken).
    expect((await health(url)).kafka_ingest.produce.acknowledged_records).toBe(ackedDuring);
    await kafka.start();
    const downMs = Date.now() - downAt;
    const stats = await load;
    expect(ackedBefore).toBeGreaterThan(0);
    expect(during.status).toBe('unavailable');
    expect(during.kafka_ingest.breaker).not.toBe('closed');
    expect(during.kafka_ingest.produce.errors).toBeGreaterThan(0);
    expect(metricsDuring).toMatch(/isotel_kafka_produce_errors_total [1-9]/);
    expect(metricsDuring).toMatch(/isotel_kafka_produce_seconds_count [1-9]/);
    expect(stats.unavailable).toBeGreaterThan(0);
    expect([...stats.retryAfter].every((v) => /^[1-9]\d*$/.test(v))).toBe(true);
    expect(stats.acked.size).toBe(160 * 50);

    writer = await startPgWriter(tag, dir, WRITER_BROKERS, topics);
    const stored = await untilInPostgres(tag, stats.acked);
    expect(compare(stats.acked, stored)).toEqual({ missing: 0, doubled: 0 });
    const w = writer.handler.health().kafka_writer!;
    console.log(`kafka outage: broker down ${(downMs / 1000).toFixed(1)} s, ${stats.unavailable} answers 503 (Retry-After ${[...stats.retryAfter].join(',')}), ${stats.acked.size} acknowledged, ${stored.size} stored once; writer lag ${w.lag.total}`);
  });
});

async function health(url: string): Promise<Health> {
  return (await (await fetch(`${url}/health`)).json()) as Health;
}
