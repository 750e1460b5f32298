/**
 * The OTLP/HTTP JSON request shapes (opentelemetry-proto, "JSON Protobuf Encoding"): lowerCamelCase keys,
 * trace and span ids as hex strings (not base64), 64-bit integers as decimal strings (numbers are also
 * accepted on input), enums as integers, bytes as base64. These describe what `encodeLogs`/`encodeSpans`
 * produce; the decoders take `unknown` and check every field themselves.
 */

import type { Attributes, InstrumentationScope } from '../model.js';

/** common.proto AnyValue: exactly one of the fields is set; none set is the empty value (null in the model). */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64: a decimal string or a number. */
  intValue?: string | number;
  /** A number, or "NaN" / "Infinity" / "-Infinity" as proto3 JSON writes them. */
  doubleValue?: number | string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  /** base64 */
  bytesValue?: string;
}

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

export interface OtlpResource {
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

export interface OtlpInstrumentationScope {
  name?: string;
  version?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

/** logs.proto LogRecord. Nanosecond times are decimal strings (uint64); 0 or absent means unknown. */
export interface OtlpLogRecord {
  timeUnixNano?: string | number;
  observedTimeUnixNano?: string | number;
  severityNumber?: number;
  severityText?: string;
  body?: OtlpAnyValue;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  /** Bits 0-7 are the W3C trace flags. */
  flags?: number;
  /** 32 hex characters. */
  traceId?: string;
  /** 16 hex characters. */
  spanId?: string;
  eventName?: string;
}

export interface OtlpScopeLogs {
  scope?: OtlpInstrumentationScope;
  logRecords?: OtlpLogRecord[];
  schemaUrl?: string;
}

export interface OtlpResourceLogs {
  resource?: OtlpResource;
  scopeLogs?: OtlpScopeLogs[];
  schemaUrl?: string;
}

/** collector/logs/v1 ExportLogsServiceRequest, the body of POST /v1/logs. */
export interface ExportLogsServiceRequest {
  resourceLogs?: OtlpResourceLogs[];
}

/** trace.proto Span.SpanKind: the index in the model's SPAN_KINDS. */
export type OtlpSpanKind = 0 | 1 | 2 | 3 | 4 | 5;
/** trace.proto Status.StatusCode: the index in the model's STATUS_CODES. */
export type OtlpStatusCode = 0 | 1 | 2;

export interface OtlpStatus {
  message?: string;
  code?: OtlpStatusCode;
}

export interface OtlpSpanEvent {
  timeUnixNano?: string | number;
  name?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

export interface OtlpSpanLink {
  traceId?: string;
  spanId?: string;
  traceState?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}

export interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  traceState?: string;
  parentSpanId?: string;
  /** Bits 0-7: W3C trace flags; bits 8-9: the parent's is-remote state. */
  flags?: number;
  name?: string;
  kind?: OtlpSpanKind;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events?: OtlpSpanEvent[];
  droppedEventsCount?: number;
  links?: OtlpSpanLink[];
  droppedLinksCount?: number;
  status?: OtlpStatus;
}

/** An OTLP span with the resource and scope it belongs to: how the browser queue keeps spans. */
export interface OtlpSpanRecord extends OtlpSpan {
  resource: Attributes;
  scope: InstrumentationScope;
}

export interface OtlpScopeSpans {
  scope?: OtlpInstrumentationScope;
  spans?: OtlpSpan[];
  schemaUrl?: string;
}

export interface OtlpResourceSpans {
  resource?: OtlpResource;
  scopeSpans?: OtlpScopeSpans[];
  schemaUrl?: string;
}

/** collector/trace/v1 ExportTraceServiceRequest, the body of POST /v1/traces. */
export interface ExportTraceServiceRequest {
  resourceSpans?: OtlpResourceSpans[];
}

/** OTLP JSON metrics (metrics.proto). 64-bit counts and times as decimal strings; doubles as numbers. */
export interface OtlpExemplar {
  filteredAttributes?: OtlpKeyValue[];
  timeUnixNano: string;
  asDouble?: number;
  asInt?: string;
  spanId?: string;
  traceId?: string;
}

/** The fields of every data point type; which of the rest a point has depends on its metric's data. */
export interface OtlpDataPoint {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano: string;
  exemplars?: OtlpExemplar[];
  flags?: number;
  asDouble?: number;
  asInt?: string;
  count?: string;
  sum?: number;
  min?: number;
  max?: number;
  bucketCounts?: string[];
  explicitBounds?: number[];
  scale?: number;
  zeroCount?: string;
  zeroThreshold?: number;
  positive?: { offset?: number; bucketCounts?: string[] };
  negative?: { offset?: number; bucketCounts?: string[] };
  quantileValues?: Array<{ quantile?: number; value?: number }>;
}

/** Gauge, Sum, Histogram, ExponentialHistogram, Summary. 1 = DELTA, 2 = CUMULATIVE. */
export interface OtlpMetricData {
  dataPoints: OtlpDataPoint[];
  aggregationTemporality?: 1 | 2;
  isMonotonic?: boolean;
}

export type OtlpMetricKind = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';

export type OtlpMetric = { name: string; description?: string; unit?: string } & Partial<Record<OtlpMetricKind, OtlpMetricData>>;

/** One OTLP metric with its resource and scope: what the browser meter queues (like OtlpSpanRecord). */
export type OtlpMetricRecord = OtlpMetric & { resource: Attributes; scope: InstrumentationScope };

export interface OtlpScopeMetrics {
  scope?: OtlpInstrumentationScope;
  metrics?: OtlpMetric[];
  schemaUrl?: string;
}

export interface OtlpResourceMetrics {
  resource?: OtlpResource;
  scopeMetrics?: OtlpScopeMetrics[];
  schemaUrl?: string;
}

export interface ExportMetricsServiceRequest {
  resourceMetrics?: OtlpResourceMetrics[];
}
