/**
 * The record model shared by every part of isotel: the OpenTelemetry logs data model and span model
 * in the JSON form used by JSONL files (snake_case, ISO 8601 timestamps, hex ids), which matches the
 * original framework's output, and metric points (one data point per item). Backends, the OTLP codec and the
 * ingest all speak this shape.
 */

/**
 * An OpenTelemetry AnyValue in its JSON form: string, boolean, number (int or double), null (the empty
 * value), array, map. Two kinds plain JSON cannot tell apart are tagged one-key objects (tagged-value.ts):
 * bytes as `{"$bytes": "<base64>"}` and an int beyond ±(2^53 - 1) as `{"$int": "<decimal>"}`; a map whose
 * only key is `$bytes`, `$int` or `$map` is wrapped as `{"$map": {...}}`. So every stored record is plain
 * JSON, and every backend and the query API give back the kind that was sent, which the OTLP encoder turns
 * back into bytesValue / intValue.
 */
export type AnyValue =
  | string
  | number
  | boolean
  | null
  | AnyValue[]
  | { [key: string]: AnyValue };

export type Attributes = Record<string, AnyValue>;

export interface InstrumentationScope {
  name: string;
  version?: string;
  attributes?: Attributes;
  /** The ScopeLogs / ScopeSpans `schema_url`, when one was sent. */
  schema_url?: string;
}

/**
 * A log record. Timestamps are ISO 8601 UTC strings with microseconds (`2025-07-06T10:34:56.123456Z`);
 * nine fraction digits are used when the source had nanoseconds, so OTLP round trips are lossless.
 */
export interface LogRecord {
  /** Unique, sortable by time; equals the `log.record.uid` attribute when one was sent. */
  record_id: string;
  timestamp: string;
  observed_timestamp: string;
  severity_text: string;
  /** 1..24, 0 when unspecified. */
  severity_number: number;
  body: AnyValue;
  /** 32 lowercase hex, absent when the record is outside a trace. */
  trace_id?: string;
  /** 16 lowercase hex. */
  span_id?: string;
  trace_flags?: number;
  event_name?: string;
  attributes: Attributes;
  resource: Attributes;
  /** The ResourceLogs `schema_url`, when one was sent. */
  resource_schema_url?: string;
  scope: InstrumentationScope;
  dropped_attributes_count?: number;
}

export const SPAN_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
export type SpanKindName = (typeof SPAN_KINDS)[number];

export const STATUS_CODES = ['UNSET', 'OK', 'ERROR'] as const;
export type StatusCodeName = (typeof STATUS_CODES)[number];

export interface SpanStatus {
  code: StatusCodeName;
  message?: string;
}

export interface SpanEvent {
  name: string;
  time: string;
  attributes: Attributes;
  dropped_attributes_count?: number;
}

export interface SpanLink {
  trace_id: string;
  span_id: string;
  trace_state?: string;
  attributes: Attributes;
  flags?: number;
  dropped_attributes_count?: number;
}

export interface SpanRecord {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  trace_state?: string;
  flags?: number;
  name: string;
  kind: SpanKindName;
  start_time: string;
  end_time: string;
  duration_ms: number;
  status: SpanStatus;
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  resource: Attributes;
  /** The ResourceSpans `schema_url`, when one was sent. */
  resource_schema_url?: string;
  scope: InstrumentationScope;
  dropped_attributes_count?: number;
  dropped_events_count?: number;
  dropped_links_count?: number;
}

export const METRIC_TYPES = ['sum', 'gauge', 'histogram', 'exponential_histogram', 'summary'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];
export type Temporality = 'delta' | 'cumulative';

/**
 * A metric value (sum, gauge, exemplar): a number, or, for an int64 (`asInt`) beyond ±(2^53 - 1), which a
 * double cannot hold, its exact decimal string (as OTLP JSON writes every int64), e.g. "9007199254740993".
 * Every backend stores and the query API answers it so (metricNumber reads either as a number, rounded).
 */
export type MetricValue = number | string;

/** An exemplar of a metric point: a measurement, with the span it was recorded in when it had one. */
export interface Exemplar {
  time: string;
  value: MetricValue;
  trace_id?: string;
  span_id?: string;
  filtered_attributes: Attributes;
}

/** One bucket range of an exponential histogram: counts of buckets `offset`, `offset + 1`, ... */
export interface ExponentialBuckets {
  offset: number;
  bucket_counts: number[];
}

/**
 * One metric data point (OTLP metrics data model), flattened with its metric's name, description, unit and type,
 * so each point is one JSONL line, one row, one document. Which value fields are present depends on `type`:
 * sum/gauge: `value`; histogram: count, sum, min, max, bucket_counts, explicit_bounds; exponential_histogram:
 * count, sum, min, max, scale, zero_count, zero_threshold, positive, negative; summary: count, sum, quantiles.
 * A point flagged NO_RECORDED_VALUE (flags & 1) may carry no value.
 */
export interface MetricPoint {
  /** Derived from the stream identity (name, unit, type, temporality, monotonic, resource, scope, attributes) and `time`. */
  point_id: string;
  name: string;
  description?: string;
  unit?: string;
  type: MetricType;
  /** sum, histogram and exponential_histogram only. */
  temporality?: Temporality;
  /** sum only. */
  monotonic?: boolean;
  time: string;
  start_time?: string;
  attributes: Attributes;
  resource: Attributes;
  /** The ResourceMetrics `schema_url`, when one was sent. */
  resource_schema_url?: string;
  scope: InstrumentationScope;
  /** sum and gauge: a number, or an int64 beyond ±(2^53 - 1) as its exact decimal string (MetricValue). */
  value?: MetricValue;
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
  bucket_counts?: number[];
  explicit_bounds?: number[];
  scale?: number;
  zero_count?: number;
  zero_threshold?: number;
  positive?: ExponentialBuckets;
  negative?: ExponentialBuckets;
  quantiles?: Array<{ quantile: number; value: number }>;
  exemplars?: Exemplar[];
  /** DataPointFlags: 1 = NO_RECORDED_VALUE. */
  flags?: number;
}

/** What a backend, the WAL and the ingest carry: logs, spans and metric points, tagged. */
export type TelemetryItem =
  | { kind: 'log'; record: LogRecord }
  | { kind: 'span'; record: SpanRecord }
  | { kind: 'metric'; record: MetricPoint };

/** The signals a batch carries, in the order a batch lists them. */
export const SIGNALS = ['log', 'span', 'metric'] as const;
export type SignalName = (typeof SIGNALS)[number];

/** A batch as written to backends: every signal together, each possibly empty. */
export interface Batch {
  logs: LogRecord[];
  spans: SpanRecord[];
  metrics: MetricPoint[];
}

/** An empty batch (a new object each call: batches are filled in place). */
export function emptyBatch(): Batch {
  return { logs: [], spans: [], metrics: [] };
}

/** The identity every backend write is idempotent on. */
export function spanId(span: Pick<SpanRecord, 'trace_id' | 'span_id'>): string {
  return `${span.trace_id}-${span.span_id}`;
}

/** A metric value as a number (an int64 beyond ±(2^53 - 1) rounded to the nearest double). */
export function metricNumber(v: MetricValue): number {
  return typeof v === 'number' ? v : Number(v);
}

/**
 * The sum of two metric values, exact when both are ints (safe integers or int64 decimal strings): a number
 * while it is a safe integer, else its decimal string; a double when either is not an int. The query API's
 * bucket sum of delta points.
 */
export function addMetricValues(a: MetricValue, b: MetricValue): MetricValue {
  if (!isInt(a) || !isInt(b)) return metricNumber(a) + metricNumber(b);
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a + b)) return a + b;
  const big = BigInt(a) + BigInt(b);
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big.toString();
}

const isInt = (v: MetricValue): boolean => typeof v === 'string' || Number.isSafeInteger(v);
