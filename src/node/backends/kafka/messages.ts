import type { LogRecord, MetricPoint, SpanRecord } from '../../../shared/model.js';
import { streamKey } from '../../../shared/otlp/derive-id.js';
import { encodeLogsExact, encodeSpansExact } from '../../../shared/otlp/encode-exact.js';
import { encodeMetrics } from '../../../shared/otlp/encode-metrics.js';
import { encodeLogsProtobuf, encodeTracesProtobuf } from '../../../shared/otlp/encode-protobuf.js';
import { encodeMetricsProtobuf } from '../../../shared/otlp/encode-protobuf-metrics.js';

/**
 * One Kafka message: its key, the partition its records' keys map to (absent: the client's partitioner picks
 * it from the key), an OTLP protobuf request as value, and the ids it carries.
 */
export interface OtlpMessage {
  topic: string;
  key: Buffer;
  partition?: number;
  value: Buffer;
  ids: string[];
}

export type PartitionKey = 'trace_id' | 'record_id';

/** The partition of a message key in one topic, as the producer's default partitioner computes it. */
export type PartitionOf = (key: Buffer) => number;

/**
 * A message's value is split in halves above this size: the messages of one partition in one produce are one
 * record batch for the broker (message.max.bytes, 1 MiB by default), and a message the broker refuses for good
 * rejects the records it holds, so no message grows much past a quarter of that.
 */
export const MAX_VALUE_BYTES = 256 * 1024;

/**
 * Each record is placed by its key, the layout of the Collector's kafka exporter with partitioning by trace id:
 * every record of a trace in one partition, in order. With `partitionOf` (the topic's partition count is known)
 * the records of all keys that land in the same partition travel as one Export*ServiceRequest with that
 * partition set (keyed by its first record's key, which maps there too): a request of 500 traces becomes at most
 * one message per partition, where one message per trace id made the writer store ~80 records/s. Without it, one
 * message per key. A log without a trace id (or with `partition_key: record_id`) is keyed by its record id.
 * Record ids travel inside the message (log.record.uid; a span's is its trace and span id), so a writer that
 * reads a message twice stores its records once.
 */
export function logMessages(topic: string, logs: readonly LogRecord[], by: PartitionKey, partitionOf?: PartitionOf): OtlpMessage[] {
  const keyOf = (r: LogRecord) => (by === 'trace_id' && r.trace_id ? r.trace_id : r.record_id);
  return build(topic, logs, keyOf, partitionOf, (rs) => encodeLogsProtobuf(encodeLogsExact(rs)), (r) => r.record_id);
}

export function spanMessages(topic: string, spans: readonly SpanRecord[], by: PartitionKey, partitionOf?: PartitionOf): OtlpMessage[] {
  const keyOf = (s: SpanRecord) => (by === 'trace_id' ? s.trace_id : `${s.trace_id}-${s.span_id}`);
  return build(topic, spans, keyOf, partitionOf, (rs) => encodeTracesProtobuf(encodeSpansExact(rs)), (s) => `${s.trace_id}-${s.span_id}`);
}

/**
 * Metric points have no trace: with `trace_id` (the default) they are keyed by their stream identity (name, unit,
 * type, temporality, monotonic, resource, scope, attributes: streamKey), so every point of a stream is in one
 * partition and in order, whichever ingest produced it; with `record_id` by their point id. Point ids are derived
 * from the point's content, so a writer re-reading a message derives the same ids and stores the points once.
 */
export function metricMessages(topic: string, points: readonly MetricPoint[], by: PartitionKey, partitionOf?: PartitionOf): OtlpMessage[] {
  const keyOf = (p: MetricPoint) => (by === 'trace_id' ? streamKey(p) : p.point_id);
  return build(topic, points, keyOf, partitionOf, (rs) => encodeMetricsProtobuf(encodeMetrics(rs)), (p) => p.point_id);
}

interface Group<T> { key: string; partition?: number; records: T[] }

function build<T>(topic: string, records: readonly T[], keyOf: (r: T) => string, partitionOf: PartitionOf | undefined, encode: (rs: T[]) => Uint8Array, idOf: (r: T) => string): OtlpMessage[] {
  const out: OtlpMessage[] = [];
  for (const g of grouped(records, keyOf, partitionOf)) {
    for (const { records: rs, value } of encodeCapped(g.records, encode)) {
      out.push({ topic, key: Buffer.from(g.key), ...(g.partition === undefined ? {} : { partition: g.partition }), value, ids: rs.map(idOf) });
    }
  }
  return out;
}

/** By partition when `partitionOf` is given (each distinct key hashed once), else by key. */
function grouped<T>(records: readonly T[], keyOf: (r: T) => string, partitionOf: PartitionOf | undefined): Iterable<Group<T>> {
  const groups = new Map<string | number, Group<T>>();
  const partitions = new Map<string, number>();
  for (const r of records) {
    const key = keyOf(r);
    let partition: number | undefined;
    if (partitionOf) {
      partition = partitions.get(key);
      if (partition === undefined) partitions.set(key, (partition = partitionOf(Buffer.from(key))));
    }
    const id = partition ?? key;
    const g = groups.get(id);
    if (g) g.records.push(r);
    else groups.set(id, { key, partition, records: [r] });
  }
  return groups.values();
}

function encodeCapped<T>(records: T[], encode: (rs: T[]) => Uint8Array): Array<{ records: T[]; value: Buffer }> {
  const bytes = encode(records);
  const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (value.length <= MAX_VALUE_BYTES || records.length === 1) return [{ records, value }];
  const half = Math.ceil(records.length / 2);
  return [...encodeCapped(records.slice(0, half), encode), ...encodeCapped(records.slice(half), encode)];
}
