/**
 * The record model shared by every part of isotel: the OpenTelemetry logs data model and span model
 * in the JSON form used by JSONL files (snake_case, ISO 8601 timestamps, hex ids), which matches the
 * original framework's output. Backends, the OTLP codec and the ingest all speak this shape.
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

/** What a backend, the WAL and the ingest carry: logs and spans, tagged. */
export type TelemetryItem = { kind: 'log'; record: LogRecord } | { kind: 'span'; record: SpanRecord };

/** A batch as written to backends: both signals together, each possibly empty. */
export interface Batch {
  logs: LogRecord[];
  spans: SpanRecord[];
}

/** The identity every backend write is idempotent on. */
export function spanId(span: Pick<SpanRecord, 'trace_id' | 'span_id'>): string {
  return `${span.trace_id}-${span.span_id}`;
}
