import type { Batch } from '../shared/model.js';
import type { Diag } from '../shared/diag.js';
import type { DecodeLimits } from '../shared/otlp/index.js';
import { createProducer, describeKafkaError, loadKafkaClient, type KafkaModule, type KafkaSectionConfig } from '../node/engine/index.js';
import { decodeKafkaMessage, type KafkaSignal } from './kafka-decode.js';
import type { EnrichContext } from './enrich.js';
import { startLagMonitor, type LagSnapshot } from './kafka-lag.js';

export interface KafkaWriterOptions {
  kafka: KafkaSectionConfig;
  /** The route's dedupe window, then the engine's durable append (the write-ahead log): resolves once fsync'd. */
  append(batch: Batch): Promise<{ ok: true } | { ok: false; reason: string; message: string }>;
  limits: Partial<DecodeLimits>;
  enrich: Omit<EnrichContext, 'receivedAtMs'>;
  diag: Diag;
  load?: () => Promise<KafkaModule>;
}

export interface KafkaWriterHealth {
  consumed: number;
  appended_records: number;
  dead_lettered: number;
  last_error?: string;
  /** The group's lag per partition of the logs, spans and metrics topics (kafka-lag.ts), read every 5 s. */
  lag: LagSnapshot;
}

export interface KafkaWriter {
  health(): KafkaWriterHealth;
  /** /metrics lines: the consumer lag per partition. */
  metricsText(): string;
  /** Leaves the group (its partitions go to the other writers) and closes the clients. Idempotent. */
  close(): Promise<void>;
}

interface Msg { topic: string; partition: number; offset: bigint; key: Buffer; value: Buffer; commit(): void | Promise<void> }

const closeQuietly = (c: { close(force?: boolean): Promise<void> }) => c.close(true).catch(() => undefined);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * `isotel serve --role writer`: a member of the consumer group `kafka.group_id` on the logs, spans and metrics topics.
 * Each message is decoded as the HTTP route decodes a body, appended to the write-ahead log, and its offset
 * committed only after the append is durable; from the log the engine delivers to the backends with its one
 * retry policy, breaker and cursors. A message that cannot be decoded goes to the dead-letter topic with the
 * reason (headers isotel.reason/topic/partition/offset), then is committed. While the log refuses (full:
 * the backends are down longer than its budget), the writer waits and reads nothing more: Kafka keeps the rest.
 */
export async function startKafkaWriter(o: KafkaWriterOptions): Promise<KafkaWriter> {
  const kafka = await (o.load ?? loadKafkaClient)();
  const k = o.kafka;
  const signals = new Map<string, KafkaSignal>([[k.topics.logs, 'logs'], [k.topics.spans, 'spans'], [k.topics.metrics, 'metrics']]);
  const consumer = new kafka.Consumer({
    clientId: k.client_id,
    groupId: k.group_id,
    bootstrapBrokers: k.brokers,
    sessionTimeout: k.session_timeout * 1000,
    // How long a rebalance waits for the members to rejoin: the client's default (102 s) kept a writer restarted
    // after a SIGKILL out of the group (and its partitions unread) until the dead member timed out of the
    // rebalance. A live member rejoins within a heartbeat, so the session timeout is enough.
    rebalanceTimeout: k.session_timeout * 1000,
    heartbeatInterval: Math.min(3000, (k.session_timeout * 1000) / 3),
    timeout: k.timeout * 1000,
  });
  const deadLetters = createProducer(kafka, { brokers: k.brokers, clientId: `${k.client_id}-dead-letter`, timeoutMs: k.timeout * 1000 });
  const health: Omit<KafkaWriterHealth, 'lag'> = { consumed: 0, appended_records: 0, dead_lettered: 0 };
  let closing = false;
  const stream = await consumer.consume({ topics: [...signals.keys()], mode: 'committed', fallbackMode: 'earliest', autocommit: false, maxWaitTime: k.max_wait * 1000 });
  stream.on('error', (err: unknown) => {
    health.last_error = describeKafkaError(err);
    o.diag.error(`kafka writer: ${health.last_error}`);
  });

  const lag = startLagMonitor(consumer, [...signals.keys()]);
  const ctx: WriterContext = { o, health, deadLetters, signals, isClosing: () => closing };
  const done = (async () => {
    try {
      for await (const m of stream as AsyncIterable<Msg>) {
        if (closing) break;
        await handle(ctx, m);
      }
    } catch (err) {
      health.last_error = describeKafkaError(err);
      if (!closing) o.diag.error(`kafka writer stopped: ${health.last_error}`);
    }
  })();

  let closed: Promise<void> | undefined;
  return {
    health: () => ({ ...health, lag: lag.snapshot() }),
    metricsText: () => lag.render(),
    close: () =>
      (closed ??= (async () => {
        closing = true;
        lag.stop();
        await stream.close().catch(() => undefined);
        await done;
        await closeQuietly(consumer);
        await closeQuietly(deadLetters);
      })()),
  };
}

interface WriterContext {
  o: KafkaWriterOptions;
  health: Omit<KafkaWriterHealth, 'lag'>;
  deadLetters: { send(options: { messages: Array<{ topic: string; key: Buffer; value: Buffer; headers: Map<Buffer, Buffer> }> }): Promise<unknown> };
  signals: Map<string, KafkaSignal>;
  isClosing(): boolean;
}

/** The message as it was, with why, to the dead-letter topic; tried until Kafka takes it or the writer closes. */
async function deadLetter(c: WriterContext, m: Msg, reason: string): Promise<void> {
  const topic = c.o.kafka.topics.dead_letter;
  const pairs = [['isotel.reason', reason], ['isotel.topic', m.topic], ['isotel.partition', String(m.partition)], ['isotel.offset', String(m.offset)]];
  const headers = new Map(pairs.map(([a, b]) => [Buffer.from(a), Buffer.from(b)]));
  while (!c.isClosing()) {
    try {
      await c.deadLetters.send({ messages: [{ topic, key: m.key, value: m.value, headers }] });
      c.health.dead_lettered++;
      c.o.diag.warn(`kafka writer: ${m.topic}/${m.partition}@${m.offset} to ${topic}: ${reason}`);
      return;
    } catch (err) {
      c.health.last_error = describeKafkaError(err);
      await sleep(1000);
    }
  }
}

/** Appends until the log takes the records (it refuses only while full or closing); true once durable. */
async function appendDurably(c: WriterContext, batch: Batch): Promise<boolean> {
  while (!c.isClosing()) {
    const r = await c.o.append(batch);
    if (r.ok) return true;
    c.health.last_error = `write-ahead log: ${r.message}`;
    if (r.reason === 'closed') return false;
    await sleep(1000);
  }
  return false;
}

async function handle(c: WriterContext, m: Msg): Promise<void> {
  c.health.consumed++;
  const signal = c.signals.get(m.topic) ?? 'logs';
  const decoded = decodeKafkaMessage(signal, m.value, c.o.limits, { ...c.o.enrich, receivedAtMs: Date.now() });
  if (!decoded.ok) await deadLetter(c, m, decoded.reason);
  else if (await appendDurably(c, decoded.batch)) c.health.appended_records += decoded.batch.logs.length + decoded.batch.spans.length + decoded.batch.metrics.length;
  else return; // closing before the append: not committed, the next member of the group reads it again
  // Committed even while closing: the records are durable, and a commit skipped here would make the next
  // member read them again. A failed commit (rebalance, broker gone) means the same: read again, stored once.
  try {
    await m.commit();
  } catch (err) {
    c.health.last_error = `commit: ${describeKafkaError(err)}`;
  }
}
