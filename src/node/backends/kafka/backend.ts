import type { Batch } from '../../../shared/model.js';
import { SUCCESS, failure, retryable, type RejectedItem, type WriteResult } from '../../../shared/result.js';
import type { Backend, BackendContext } from '../types.js';
import type { KafkaBackendConfig } from '../../config/backend-schemas.js';
import { createProducer, loadKafkaClient, type KafkaModule } from './client.js';
import { describeKafkaError, isPermanentKafkaError } from './errors.js';
import { logMessages, metricMessages, spanMessages, type OtlpMessage, type PartitionOf } from './messages.js';

export type KafkaBackendOptions = Pick<KafkaBackendConfig, 'brokers' | 'client_id' | 'topics' | 'partition_key' | 'timeout'> & Partial<Pick<KafkaBackendConfig, 'compression'>>;

interface Sender {
  send(options: { messages: Array<{ topic: string; key: Buffer; partition?: number; value: Buffer }> }): Promise<unknown>;
  metadata(options: { topics: string[] }): Promise<unknown>;
  close(force?: boolean): Promise<void>;
}

/**
 * Kafka as a sink of the delivery engine: each batch's spans to `topics.spans`, logs to `topics.logs` and metric
 * points to `topics.metrics` as OTLP protobuf Export*ServiceRequest messages keyed by trace id (metric points
 * by stream identity; messages.ts), the Collector kafka exporter's layout, with
 * an idempotent producer and acks=all. `write` resolves `success` only after the broker acknowledged every
 * message of the batch; an unreachable or failing cluster gives `retryable`, so the records wait in the
 * engine's log (its retry, breaker and budget), never in a queue of this sink. A message the broker refuses
 * for good (too large, invalid topic) fails only the records it holds. Across engine retries a batch the
 * broker did store before the failure reached us can be produced twice: the writer stores each record once by
 * its id (at least once on the topic, exactly once in the stores).
 */
export async function createKafkaBackend(
  options: KafkaBackendOptions,
  ctx: BackendContext,
  load: () => Promise<KafkaModule> = loadKafkaClient,
): Promise<Backend> {
  const kafka = await load();
  const hash = (key: Buffer) => kafka.defaultPartitioner(undefined as never, key);
  return kafkaBackend(() => createProducer(kafka, { brokers: options.brokers, clientId: options.client_id, timeoutMs: options.timeout * 1000, compression: options.compression }), options, ctx, hash);
}

/**
 * `makeProducer` gives a new producer: one that did not answer within `timeout` (with the broker down, the
 * idempotent producer's InitProducerId can wait for good in @platformatic/kafka 1.35) is closed and replaced,
 * so the next write starts clean, and `write` always resolves. `hash`: the producer's default partitioner (a
 * key's partition is hash(key) modulo the topic's partition count); without it one message per key.
 */
export function kafkaBackend(makeProducer: () => Sender, options: KafkaBackendOptions, ctx: BackendContext, hash?: (key: Buffer) => number): Backend {
  let closed: Promise<void> | undefined;
  let current = makeProducer();
  const timeoutMs = options.timeout * 1000;
  const producer: Sender = {
    send: (o) => guarded('produce', (p) => p.send(o)),
    metadata: (o) => guarded('metadata', (p) => p.metadata(o)),
    close: (force) => current.close(force),
  };
  async function guarded<T>(what: string, call: (p: Sender) => Promise<T>): Promise<T> {
    const p = current;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (current === p && !closed) current = makeProducer();
        p.close(true).catch(() => undefined);
        reject(new Error(`${what}: no answer from Kafka within ${options.timeout} s`));
      }, timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([call(p), expired]);
    } finally {
      clearTimeout(timer);
    }
  }
  return {
    name: `kafka:${options.brokers.join(',')}`,
    // One produce at a time: the idempotent producer's sequence numbers must reach the broker in order
    // (two overlapping sends answer OUT_OF_ORDER_SEQUENCE_NUMBER); the engine keeps the rest in its log.
    maxInFlight: 1,
    signals: ['log', 'span', 'metric'],
    async write(batch: Batch): Promise<WriteResult> {
      if (closed) return retryable('kafka backend closed');
      const messages = await toMessages(producer, batch, options, hash);
      if (typeof messages === 'string') return retryable(`kafka: ${messages}`);
      if (messages.length === 0) return SUCCESS;
      const first = await produce(producer, messages);
      if (first === undefined) return SUCCESS;
      if (!isPermanentKafkaError(first)) return retryable(`kafka: ${first}`);
      return oneByOne(producer, messages, ctx);
    },
    flush: () => Promise.resolve(),
    close() {
      closed ??= producer.close(true).catch((err: unknown) => ctx.diag.debug(`kafka backend: close: ${describeKafkaError(err)}`));
      return closed;
    },
    async ping() {
      try {
        await producer.metadata({ topics: [options.topics.logs, options.topics.spans, options.topics.metrics] });
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** The batch as messages (messages.ts), or why the topics' partition counts could not be read. */
async function toMessages(producer: Sender, batch: Batch, options: KafkaBackendOptions, hash?: (key: Buffer) => number): Promise<OtlpMessage[] | string> {
  const t = options.topics;
  const used = [batch.spans.length > 0 && t.spans, batch.logs.length > 0 && t.logs, batch.metrics.length > 0 && t.metrics].filter((x) => typeof x === 'string');
  const by = hash && used.length > 0 ? await partitioners(producer, used, hash) : new Map<string, PartitionOf>();
  if (typeof by === 'string') return by;
  return [
    ...spanMessages(t.spans, batch.spans, options.partition_key, by.get(t.spans)),
    ...logMessages(t.logs, batch.logs, options.partition_key, by.get(t.logs)),
    ...metricMessages(t.metrics, batch.metrics, options.partition_key, by.get(t.metrics)),
  ];
}

/**
 * Each topic's partition of a key, from the partition counts of the producer's metadata (cached by the client,
 * refreshed after its max age or a stale-metadata error), or why the metadata could not be read.
 */
async function partitioners(producer: Sender, topics: string[], hash: (key: Buffer) => number): Promise<Map<string, PartitionOf> | string> {
  let metadata: { topics?: Map<string, { partitionsCount?: number } | undefined> };
  try {
    metadata = (await producer.metadata({ topics })) as typeof metadata;
  } catch (err) {
    return describeKafkaError(err);
  }
  const by = new Map<string, PartitionOf>();
  for (const topic of topics) {
    const n = metadata.topics?.get(topic)?.partitionsCount;
    if (n && n > 0) by.set(topic, (key) => hash(key) % n);
  }
  return by;
}

/** Undefined when the broker acknowledged everything, else the reason. */
async function produce(producer: Sender, messages: OtlpMessage[]): Promise<string | undefined> {
  try {
    await producer.send({ messages: messages.map(({ topic, key, partition, value }) => (partition === undefined ? { topic, key, value } : { topic, key, partition, value })) });
    return undefined;
  } catch (err) {
    return describeKafkaError(err);
  }
}

/**
 * After a permanent refusal: each message alone once, so only the records of the refused ones are rejected
 * (to the engine's dead-letter file); a transient error on the way makes the whole batch retryable again.
 */
async function oneByOne(producer: Sender, messages: OtlpMessage[], ctx: BackendContext): Promise<WriteResult> {
  const reasons: RejectedItem[] = [];
  for (const m of messages) {
    const reason = await produce(producer, [m]);
    if (reason === undefined) continue;
    if (!isPermanentKafkaError(reason)) return retryable(`kafka: ${reason}`);
    ctx.diag.count('kafka.rejected', m.ids.length);
    for (const id of m.ids) reasons.push({ id, reason: `kafka ${m.topic}: ${reason}` });
  }
  return reasons.length > 0 ? failure(reasons) : SUCCESS;
}
