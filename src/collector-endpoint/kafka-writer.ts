import type { Diag } from '../shared/diag.js';
import type { DecodeLimits } from '../shared/otlp/index.js';
import { createProducer, describeKafkaError, loadKafkaClient, type KafkaModule, type KafkaSectionConfig } from '../node/engine/index.js';
import type { KafkaSignal } from './kafka-decode.js';
import { drainBuffered, handleBatch, type AppendFn, type Msg, type WriterContext } from './kafka-writer-batch.js';
import type { EnrichContext } from './enrich.js';
import { startLagMonitor, type LagSnapshot } from './kafka-lag.js';

export interface KafkaWriterOptions {
  kafka: KafkaSectionConfig;
  /** The route's dedupe window, then the engine's durable append (the write-ahead log): resolves once fsync'd. */
  append: AppendFn;
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

const FETCH_MIN_BYTES = 128 * 1024;
const closeQuietly = (c: { close(force?: boolean): Promise<void> }) => c.close(true).catch(() => undefined);

/**
 * `isotel serve --role writer`: a member of the consumer group `kafka.group_id` on the logs, spans and metrics topics.
 * Messages are read in batches (kafka-writer-batch.ts): each decoded as the HTTP route decodes a body, the
 * batch's records appended to the write-ahead log at once, and the offsets committed only after the append is
 * durable; from the log the engine delivers to the backends with its one retry policy, breaker and cursors. A message that cannot be decoded goes to the dead-letter topic with the
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
  const deadLetters = createProducer(kafka, { brokers: k.brokers, clientId: `${k.client_id}-dead-letter`, timeoutMs: k.timeout * 1000, compression: k.compression });
  const health: Omit<KafkaWriterHealth, 'lag'> = { consumed: 0, appended_records: 0, dead_lettered: 0 };
  let closing = false;
  // A fetch waits for FETCH_MIN_BYTES or max_wait, whichever comes first: under load fewer, fuller fetches.
  const stream = await consumer.consume({ topics: [...signals.keys()], mode: 'committed', fallbackMode: 'earliest', autocommit: false, maxWaitTime: k.max_wait * 1000, minBytes: FETCH_MIN_BYTES });
  stream.on('error', (err: unknown) => {
    health.last_error = describeKafkaError(err);
    o.diag.error(`kafka writer: ${health.last_error}`);
  });

  const lag = startLagMonitor(consumer, [...signals.keys()]);
  const ctx: WriterContext = { o, health, deadLetters, signals, commit: (last) => commitAll(consumer, last), isClosing: () => closing };
  const done = (async () => {
    try {
      for await (const m of stream as AsyncIterable<Msg>) {
        if (closing) break;
        await handleBatch(ctx, drainBuffered(m, stream));
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

/**
 * One OffsetCommit for the batch's partitions (the stream's per-message commit sends one request each), with each
 * partition's leader epoch from the consumer's cached metadata, as the stream's own commit takes it.
 */
interface Committer {
  metadata(o: { topics: string[] }): Promise<{ topics: Map<string, { partitions: Array<{ leaderEpoch: number } | undefined> } | undefined> }>;
  commit(o: { offsets: Array<{ topic: string; partition: number; offset: bigint; leaderEpoch: number }> }): Promise<void>;
}

async function commitAll(consumer: Committer, last: Msg[]): Promise<void> {
  const metadata = await consumer.metadata({ topics: [...new Set(last.map((m) => m.topic))] });
  const epoch = (m: Msg) => metadata.topics.get(m.topic)?.partitions[m.partition]?.leaderEpoch ?? -1;
  await consumer.commit({ offsets: last.map((m) => ({ topic: m.topic, partition: m.partition, offset: m.offset + 1n, leaderEpoch: epoch(m) })) });
}
