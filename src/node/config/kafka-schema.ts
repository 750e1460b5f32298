import { z } from 'zod';
import { strict } from './strict.js';

/**
 * Kafka settings: the `kafka` backend's `config:` (a sink that produces to Kafka) and the top-level `kafka:`
 * section that `isotel serve --role writer` reads (a consumer group). Topic names default to the OpenTelemetry
 * Collector's kafka exporter/receiver layout, so either side can be a Collector.
 */

const broker = z
  .string()
  .regex(/^[^\s:/]+:\d{1,5}$/, { error: 'expected host:port, e.g. 127.0.0.1:9092' })
  .describe('A bootstrap broker as host:port.');
const brokers = z.array(broker).min(1, { error: 'at least one broker (host:port)' }).describe('Bootstrap brokers, e.g. [127.0.0.1:9092].');
const topic = (fallback: string, what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, { error: 'a Kafka topic name: 1-249 letters, digits, . _ -' })
    .default(fallback)
    .describe(what);

/** The topics both sides use, with the Collector's names. */
export const KafkaTopicsSchema = strict({
  logs: topic('otlp_logs', 'Topic of log records: OTLP protobuf ExportLogsServiceRequest values.'),
  spans: topic('otlp_spans', 'Topic of spans: OTLP protobuf ExportTraceServiceRequest values.'),
  metrics: topic('otlp_metrics', 'Topic of metric points: OTLP protobuf ExportMetricsServiceRequest values.'),
  dead_letter: topic('otlp_dead_letter', 'Where the writer puts messages it cannot decode, with the reason in the isotel.reason header.'),
}).describe('Topic names (defaults: the OpenTelemetry Collector kafka exporter layout).');

const clientId = z.string().min(1).default('isotel').describe('Kafka client id (in broker logs and quotas).');
const timeout = z.number().positive().default(10).describe('Seconds a produce, fetch or metadata request may take before it counts as failed.');

const compression = z
  .enum(['none', 'gzip', 'snappy', 'lz4'])
  .default('none')
  .describe('Compression of produced record batches (the broker stores them compressed; consumers, a Collector included, decompress). gzip: fewest bytes, most CPU; lz4 and snappy: cheap. zstd needs Node 22.15+ and is not offered.');

const partitionKey = z
  .enum(['trace_id', 'record_id'])
  .default('trace_id')
  .describe('Message key: trace_id keeps a trace in one partition (records without one use their record id, metric points their stream identity); record_id spreads every record (a point by its point id).');

export function kafkaBackendFields<T extends z.core.$ZodLooseShape>(common: T) {
  return {
    brokers,
    client_id: clientId,
    topics: KafkaTopicsSchema.prefault({}),
    partition_key: partitionKey,
    compression,
    timeout,
    batch_size: z.int().positive().default(1000).describe('Records per batch the engine hands to the producer.'),
    ...common,
  };
}

/** The top-level `kafka:` section, read by `isotel serve --role ingest` (a producer) and `--role writer` (a consumer group). */
export const KafkaSectionSchema = strict({
  brokers: z.array(broker).default([]).describe('Bootstrap brokers, e.g. [127.0.0.1:9092]. Required by --role ingest and --role writer.'),
  client_id: clientId,
  group_id: z.string().min(1).default('isotel-writer').describe('Consumer group of the writers: each partition is read by one member.'),
  topics: KafkaTopicsSchema.prefault({}),
  partition_key: partitionKey,
  compression,
  timeout,
  session_timeout: z.number().positive().default(30).describe('Seconds without a heartbeat before the group gives a member\'s partitions to another.'),
  max_wait: z.number().positive().default(0.5).describe('Seconds a fetch waits for new messages before it returns empty.'),
}).describe('Kafka for the scaled-out roles (isotel serve --role ingest, --role writer).');

export type KafkaSectionConfig = z.output<typeof KafkaSectionSchema>;
export type KafkaTopicsConfig = z.output<typeof KafkaTopicsSchema>;
