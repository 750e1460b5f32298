import type { Producer as ProducerType } from '@platformatic/kafka';

export type KafkaModule = typeof import('@platformatic/kafka');

/**
 * `@platformatic/kafka` is an optional peer dependency, loaded only when a Kafka backend or role is configured.
 * Missing: a start-up error that says what to install (never a crash on import of isotel/node).
 */
export async function loadKafkaClient(): Promise<KafkaModule> {
  try {
    return await import('@platformatic/kafka');
  } catch (err) {
    throw new Error(
      `Kafka needs the @platformatic/kafka package (npm install @platformatic/kafka@1.35.0): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export interface ProducerSettings {
  brokers: string[];
  clientId: string;
  timeoutMs: number;
  /** Record batch compression (`kafka.compression`); none by default. */
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4';
}

/**
 * An idempotent producer with acks=all: the broker acknowledges a batch only when every in-sync replica has
 * it (min.insync.replicas), and the producer id + sequence numbers keep the client's own re-sends within one
 * session from being written twice. `retries: false` (0 is taken as the default count, and InitProducerId then
 * retries for seconds with the broker down): a failed send comes back to the delivery engine, which owns
 * retry and backoff (one retry policy for every sink); a metadata refresh after a leader change is still done
 * by the client (repeatOnStaleMetadata), which is not a wait.
 */
export function createProducer(kafka: KafkaModule, s: ProducerSettings): ProducerType<Buffer, Buffer, Buffer, Buffer> {
  return new kafka.Producer({
    clientId: s.clientId,
    bootstrapBrokers: s.brokers,
    idempotent: true,
    acks: kafka.ProduceAcks.ALL,
    timeout: s.timeoutMs,
    connectTimeout: s.timeoutMs,
    requestTimeout: s.timeoutMs,
    retries: false,
    autocreateTopics: true,
    ...(s.compression && s.compression !== 'none' ? { compression: s.compression } : {}),
  });
}
