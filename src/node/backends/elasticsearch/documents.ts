import type { AnyValue, Attributes, InstrumentationScope, LogRecord, SpanRecord } from '../../../shared/model.js';
import { isOpaqueTag } from '../../../shared/tagged-value.js';

/**
 * Record ⇄ document mapping, in the OpenTelemetry Collector's Elasticsearch `otel` shape (`@timestamp`,
 * `body.text`/`body.structured`, `resource.attributes`, `scope.*`). The mapping is a bijection: every
 * field of a record lands in exactly one document field, and attribute maps go in unchanged (flattened
 * fields index them as keywords but `_source` keeps the original JSON types), so `decodeLog(logDocument(r))`
 * equals `r` and getTrace returns what was written.
 *
 * Documents are built as object literals with one fixed key order: V8 then gives them one hidden class
 * and JSON.stringify takes its fast path. `undefined` optional fields are simply omitted by JSON.stringify.
 */

/**
 * The body: a string goes to `body.text` (full-text searchable), a map to `body.structured`, and any
 * other value (number, boolean, null, array, tagged bytes or big int) to `body.value`, which is stored but
 * not indexed; the decoder reads back whichever of the three is present.
 */
export interface BodyDocument {
  text?: string;
  structured?: { [key: string]: AnyValue };
  value?: AnyValue;
}

export function encodeBody(body: AnyValue): BodyDocument {
  if (typeof body === 'string') return { text: body };
  if (isPlainObject(body) && !isOpaqueTag(body)) return { structured: body };
  return { value: body };
}

export function logDocument(r: LogRecord): Record<string, unknown> {
  return {
    '@timestamp': r.timestamp,
    observed_timestamp: r.observed_timestamp,
    record_id: r.record_id,
    severity_text: r.severity_text,
    severity_number: r.severity_number,
    trace_id: r.trace_id,
    span_id: r.span_id,
    trace_flags: r.trace_flags,
    event_name: r.event_name,
    body: encodeBody(r.body),
    attributes: r.attributes,
    dropped_attributes_count: r.dropped_attributes_count,
    resource: { attributes: r.resource, schema_url: r.resource_schema_url },
    scope: r.scope,
  };
}

export function spanDocument(s: SpanRecord): Record<string, unknown> {
  return {
    '@timestamp': s.start_time,
    end_time: s.end_time,
    duration_ms: s.duration_ms,
    trace_id: s.trace_id,
    span_id: s.span_id,
    parent_span_id: s.parent_span_id,
    trace_state: s.trace_state,
    trace_flags: s.flags,
    name: s.name,
    kind: s.kind,
    status: s.status,
    attributes: s.attributes,
    events: s.events,
    links: s.links,
    resource: { attributes: s.resource, schema_url: s.resource_schema_url },
    scope: s.scope,
    dropped_attributes_count: s.dropped_attributes_count,
    dropped_events_count: s.dropped_events_count,
    dropped_links_count: s.dropped_links_count,
  };
}

function isPlainObject(v: unknown): v is { [key: string]: AnyValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---- decoding: `_source` is whatever the index holds, so it is narrowed, never trusted ----

type Source = Record<string, unknown>;

function str(src: Source, key: string): string | undefined {
  const v = src[key];
  return typeof v === 'string' ? v : undefined;
}

function num(src: Source, key: string): number | undefined {
  const v = src[key];
  return typeof v === 'number' ? v : undefined;
}

function obj(v: unknown): Source | undefined {
  return isPlainObject(v) ? (v as Source) : undefined;
}

/** Copies the optional fields that are present, so decoded records have no `undefined` keys. */
function setIfDefined<T extends object>(target: T, key: keyof T, value: unknown): void {
  if (value !== undefined) (target as Record<keyof T, unknown>)[key] = value;
}

function decodeBody(v: unknown): AnyValue {
  const body = obj(v);
  if (!body) return null;
  if (typeof body.text === 'string') return body.text;
  if ('structured' in body) return body.structured as AnyValue;
  return 'value' in body ? (body.value as AnyValue) : null;
}

function decodeScope(v: unknown): InstrumentationScope {
  const scope = obj(v);
  return scope && typeof scope.name === 'string' ? (scope as unknown as InstrumentationScope) : { name: '' };
}

function resourceSchemaUrl(src: Source): string | undefined {
  const resource = obj(src.resource);
  return resource ? str(resource, 'schema_url') : undefined;
}

function attributes(v: unknown): Attributes {
  return (obj(v) as Attributes | undefined) ?? {};
}

/** A log record from a document's `_source`; undefined when the document is not one of ours. */
export function decodeLog(source: unknown): LogRecord | undefined {
  const src = obj(source);
  if (!src) return undefined;
  const record_id = str(src, 'record_id');
  const timestamp = str(src, '@timestamp');
  if (record_id === undefined || timestamp === undefined) return undefined;
  const record: LogRecord = {
    record_id,
    timestamp,
    observed_timestamp: str(src, 'observed_timestamp') ?? timestamp,
    severity_text: str(src, 'severity_text') ?? '',
    severity_number: num(src, 'severity_number') ?? 0,
    body: decodeBody(src.body),
    attributes: attributes(src.attributes),
    resource: attributes(obj(src.resource)?.attributes),
    scope: decodeScope(src.scope),
  };
  setIfDefined(record, 'trace_id', str(src, 'trace_id'));
  setIfDefined(record, 'span_id', str(src, 'span_id'));
  setIfDefined(record, 'trace_flags', num(src, 'trace_flags'));
  setIfDefined(record, 'event_name', str(src, 'event_name'));
  setIfDefined(record, 'dropped_attributes_count', num(src, 'dropped_attributes_count'));
  setIfDefined(record, 'resource_schema_url', resourceSchemaUrl(src));
  return record;
}

/** A span from a document's `_source`; undefined when the document is not one of ours. */
export function decodeSpan(source: unknown): SpanRecord | undefined {
  const src = obj(source);
  if (!src) return undefined;
  const trace_id = str(src, 'trace_id');
  const span_id = str(src, 'span_id');
  const start_time = str(src, '@timestamp');
  if (trace_id === undefined || span_id === undefined || start_time === undefined) return undefined;
  const status = obj(src.status);
  const span: SpanRecord = {
    trace_id,
    span_id,
    name: str(src, 'name') ?? '',
    kind: (str(src, 'kind') ?? 'UNSPECIFIED') as SpanRecord['kind'],
    start_time,
    end_time: str(src, 'end_time') ?? start_time,
    duration_ms: num(src, 'duration_ms') ?? 0,
    status: status && typeof status.code === 'string' ? (status as unknown as SpanRecord['status']) : { code: 'UNSET' },
    attributes: attributes(src.attributes),
    events: Array.isArray(src.events) ? (src.events as SpanRecord['events']) : [],
    links: Array.isArray(src.links) ? (src.links as SpanRecord['links']) : [],
    resource: attributes(obj(src.resource)?.attributes),
    scope: decodeScope(src.scope),
  };
  setIfDefined(span, 'parent_span_id', str(src, 'parent_span_id'));
  setIfDefined(span, 'trace_state', str(src, 'trace_state'));
  setIfDefined(span, 'flags', num(src, 'trace_flags'));
  setIfDefined(span, 'dropped_attributes_count', num(src, 'dropped_attributes_count'));
  setIfDefined(span, 'dropped_events_count', num(src, 'dropped_events_count'));
  setIfDefined(span, 'dropped_links_count', num(src, 'dropped_links_count'));
  setIfDefined(span, 'resource_schema_url', resourceSchemaUrl(src));
  return span;
}
