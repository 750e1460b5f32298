import type { LogRecord, MetricPoint, SpanRecord } from '../../../shared/model.js';
import { streamKey } from '../../../shared/otlp/derive-id.js';
import { encodeLogsExact, encodeSpansExact } from '../../../shared/otlp/encode-exact.js';
import { encodeMetrics } from '../../../shared/otlp/encode-metrics.js';
import { encodeLogsProtobuf, encodeTracesProtobuf } from '../../../shared/otlp/encode-protobuf.js';
import { encodeMetricsProtobuf } from '../../../shared/otlp/encode-protobuf-metrics.js';

/** One Kafka message: its key (the partition choice), an OTLP protobuf request as value, and the ids it carries. */
export interface OtlpMessage {
  topic: string;
  key: Buffer;
  value: Buffer;
  ids: string[];
}

export type PartitionKey = 'trace_id' | 'record_id';

/**
 * Groups records by their message key and encodes each group as one Export*ServiceRequest, the layout of the
 * Collector's kafka exporter with partitioning by trace id: every record of a trace in one message, so in one
 * partition and in order. A log without a trace id (or with `partition_key: record_id`) is keyed by its record
 * id. Record ids travel inside the message (log.record.uid; a span's is its trace and span id), so a writer
 * that reads a message twice stores its records once.
 */
export function logMessages(topic: string, logs: readonly LogRecord[], by: PartitionKey): OtlpMessage[] {
  return grouped(logs, (r) => (by === 'trace_id' && r.trace_id ? r.trace_id : r.record_id)).map(([key, records]) => ({
    topic,
    key: Buffer.from(key),
    value: Buffer.from(encodeLogsProtobuf(encodeLogsExact(records))),
    ids: records.map((r) => r.record_id),
  }));
}

export function spanMessages(topic: string, spans: readonly SpanRecord[], by: PartitionKey): OtlpMessage[] {
  return grouped(spans, (s) => (by === 'trace_id' ? s.trace_id : `${s.trace_id}-${s.span_id}`)).map(([key, records]) => ({
    topic,
    key: Buffer.from(key),
    value: Buffer.from(encodeTracesProtobuf(encodeSpansExact(records))),
    ids: records.map((s) => `${s.trace_id}-${s.span_id}`),
  }));
}

/**
 * Metric points have no trace: with `trace_id` (the default) they are keyed by their stream identity (name, unit,
 * type, temporality, monotonic, resource, scope, attributes: streamKey), so every point of a stream is in one
 * partition and in order, whichever ingest produced it; with `record_id` by their point id. Point ids are derived
 * from the point's content, so a writer re-reading a message derives the same ids and stores the points once.
 */
export function metricMessages(topic: string, points: readonly MetricPoint[], by: PartitionKey): OtlpMessage[] {
  return grouped(points, (p) => (by === 'trace_id' ? streamKey(p) : p.point_id)).map(([key, records]) => ({
    topic,
    key: Buffer.from(key),
    value: Buffer.from(encodeMetricsProtobuf(encodeMetrics(records))),
    ids: records.map((p) => p.point_id),
  }));
}

function grouped<T>(records: readonly T[], keyOf: (r: T) => string): Array<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const r of records) {
    const k = keyOf(r);
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  return [...groups];
}
