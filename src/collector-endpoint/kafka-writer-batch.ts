import type { Batch } from '../shared/model.js';
import type { Diag } from '../shared/diag.js';
import type { DecodeLimits } from '../shared/otlp/index.js';
import { describeKafkaError, tagMessage } from '../node/engine/index.js';
import { decodeKafkaMessage, type KafkaSignal } from './kafka-decode.js';
import type { EnrichContext } from './enrich.js';

/**
 * At most this many messages / value bytes in one write-ahead log append: what the consumer stream has
 * buffered while the previous append and commit were in flight (it prefetches up to 1,024 messages).
 */
export const BATCH_MESSAGES = 1000;
export const BATCH_BYTES = 8 * 1024 * 1024;

export interface Msg { topic: string; partition: number; offset: bigint; key: Buffer; value: Buffer }

export type AppendFn = (batch: Batch) => Promise<{ ok: true } | { ok: false; reason: string; message: string }>;

export interface WriterContext {
  o: { kafka: { topics: { dead_letter: string } }; append: AppendFn; limits: Partial<DecodeLimits>; enrich: Omit<EnrichContext, 'receivedAtMs'>; diag: Diag };
  health: { consumed: number; appended_records: number; dead_lettered: number; last_error?: string };
  deadLetters: { send(options: { messages: Array<{ topic: string; key: Buffer; value: Buffer; headers: Map<Buffer, Buffer> }> }): Promise<unknown> };
  signals: Map<string, KafkaSignal>;
  /** Commits, in one OffsetCommit request, each message's offset + 1 (the next to read) for its partition. */
  commit(last: Msg[]): Promise<void>;
  isClosing(): boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * `first` and what the stream has buffered behind it (read without waiting), up to BATCH_MESSAGES / BATCH_BYTES.
 * Under load the stream fills while a batch is appended, so batches grow with the load; idle, a batch is one message.
 */
export function drainBuffered(first: Msg, stream: { read(): unknown }): Msg[] {
  const out = [first];
  let bytes = first.value?.length ?? 0;
  while (out.length < BATCH_MESSAGES && bytes < BATCH_BYTES) {
    const m = stream.read() as Msg | null;
    if (m === null) break;
    out.push(m);
    bytes += m.value?.length ?? 0;
  }
  return out;
}

/**
 * One batch of messages: each decoded as the HTTP route decodes a body; the undecodable ones to the dead-letter
 * topic; the records of all the others in one append to the write-ahead log (one fsync round for the batch,
 * where one message at a time stored ~80 records/s); then, only once all of that is durable, the highest offset
 * of each partition committed (one request for all of them). Closing before that commits nothing: the group's next member reads the batch again
 * and the record ids keep it stored once.
 */
export async function handleBatch(c: WriterContext, ms: Msg[]): Promise<void> {
  c.health.consumed += ms.length;
  const receivedAtMs = Date.now();
  const good: Batch[] = [];
  for (const m of ms) {
    const decoded = decodeKafkaMessage(c.signals.get(m.topic) ?? 'logs', m.value, c.o.limits, { ...c.o.enrich, receivedAtMs });
    if (decoded.ok) {
      // Each record's (topic, partition, offset, index): the JSONL sink writes each position once (source.ts).
      tagMessage(decoded.batch, m.topic, m.partition, Number(m.offset));
      good.push(decoded.batch);
    } else if (!(await deadLetter(c, m, decoded.reason))) return;
  }
  if (good.length > 0 && !(await appendAll(c, good))) return;
  // Committed even while closing: the records are durable, and a commit skipped here would make the next
  // member read them again. A failed commit (rebalance, broker gone) means the same: read again, stored once.
  try {
    await c.commit([...highestPerPartition(ms).values()]);
  } catch (err) {
    c.health.last_error = `commit: ${describeKafkaError(err)}`;
  }
}

function highestPerPartition(ms: Msg[]): Map<string, Msg> {
  const last = new Map<string, Msg>();
  for (const m of ms) {
    const k = `${m.topic}\0${m.partition}`;
    const prev = last.get(k);
    if (!prev || prev.offset < m.offset) last.set(k, m);
  }
  return last;
}

/** The batches as one append; one the log finds too large for a segment is split in halves. True once all are durable. */
async function appendAll(c: WriterContext, batches: Batch[]): Promise<boolean> {
  const merged: Batch = { logs: [], spans: [], metrics: [] };
  for (const b of batches) {
    for (const r of b.logs) merged.logs.push(r);
    for (const r of b.spans) merged.spans.push(r);
    for (const r of b.metrics) merged.metrics.push(r);
  }
  const r = await appendDurably(c, merged);
  if (r !== 'too_large') return r === 'ok';
  if (batches.length === 1) {
    // One message's records larger than a segment of the log: they can never be appended; waiting keeps Kafka's copy.
    c.health.last_error = 'write-ahead log: one message holds more than a segment; raise ingest.wal_max_bytes';
    while (!c.isClosing()) await sleep(1000);
    return false;
  }
  const half = Math.ceil(batches.length / 2);
  return (await appendAll(c, batches.slice(0, half))) && appendAll(c, batches.slice(half));
}

/** Appends until the log takes the records (it refuses only while full or closing). */
async function appendDurably(c: WriterContext, batch: Batch): Promise<'ok' | 'closed' | 'too_large'> {
  while (!c.isClosing()) {
    const r = await c.o.append(batch);
    if (r.ok) {
      c.health.appended_records += batch.logs.length + batch.spans.length + batch.metrics.length;
      return 'ok';
    }
    c.health.last_error = `write-ahead log: ${r.message}`;
    if (r.reason === 'closed') return 'closed';
    if (r.reason === 'too_large') return 'too_large';
    await sleep(1000);
  }
  return 'closed';
}

/** The message as it was, with why, to the dead-letter topic; tried until Kafka takes it (true) or the writer closes. */
async function deadLetter(c: WriterContext, m: Msg, reason: string): Promise<boolean> {
  const topic = c.o.kafka.topics.dead_letter;
  const pairs = [['isotel.reason', reason], ['isotel.topic', m.topic], ['isotel.partition', String(m.partition)], ['isotel.offset', String(m.offset)]];
  const headers = new Map(pairs.map(([a, b]) => [Buffer.from(a), Buffer.from(b)]));
  while (!c.isClosing()) {
    try {
      await c.deadLetters.send({ messages: [{ topic, key: m.key, value: m.value, headers }] });
      c.health.dead_lettered++;
      c.o.diag.warn(`kafka writer: ${m.topic}/${m.partition}@${m.offset} to ${topic}: ${reason}`);
      return true;
    } catch (err) {
      c.health.last_error = describeKafkaError(err);
      await sleep(1000);
    }
  }
  return false;
}
