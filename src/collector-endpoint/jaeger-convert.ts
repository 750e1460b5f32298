import type { AnyValue, Attributes, SpanEvent, SpanRecord } from '../shared/model.js';
import { readTagged } from '../shared/tagged-value.js';
import { isoToNanos } from '../shared/time.js';

/**
 * Stored spans in Jaeger's UI JSON (jaegertracing/jaeger model/json/model.go, written the way
 * model/converter/json/from_domain.go writes it), translated from OpenTelemetry the way the Collector's
 * OTLP → Jaeger translator does (opentelemetry-collector-contrib pkg/translator/jaeger/traces_to_jaegerproto.go):
 * resource → process (`service.name` → serviceName, the other attributes → tags); scope → `otel.scope.name`/
 * `otel.scope.version` tags first, then the attributes, then `span.kind` (lowercase), `otel.status_code`,
 * `error: true`, `otel.status_description`, `w3c.tracestate`; parent → CHILD_OF reference first, links →
 * FOLLOWS_FROM (CHILD_OF when the link says `opentracing.ref_type: child_of`); events → logs with an `event` field.
 * Then, as Jaeger's query service does before answering (model/adjuster/sort_tags_and_log_fields.go), span and
 * process tags are sorted by key, and each log's fields too after its `event` field. Ids stay in OTel's hex form
 * (32 and 16 digits), which Jaeger UI and Grafana accept.
 */

export type JaegerValueType = 'string' | 'bool' | 'int64' | 'float64' | 'binary';
export interface JaegerKeyValue {
  key: string;
  type: JaegerValueType;
  value: string | number | boolean;
}
export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}
export interface JaegerLog {
  timestamp: number;
  fields: JaegerKeyValue[];
}
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  /** Only when set: the W3C trace flags (bit 0, sampled, is Jaeger's sampled flag too). */
  flags?: number;
  operationName: string;
  references: JaegerReference[];
  startTime: number;
  duration: number;
  tags: JaegerKeyValue[];
  logs: JaegerLog[];
  processID: string;
  warnings: string[] | null;
}
export interface JaegerProcess {
  serviceName: string;
  tags: JaegerKeyValue[];
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, JaegerProcess>;
  warnings: string[] | null;
}

/** The translator's service name for a resource without attributes (tracetranslator.ResourceNoServiceName). */
export const NO_SERVICE_NAME = 'OTLP_RESOURCE_NO_SERVICE_NAME';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** One attribute as a Jaeger tag; an int64 beyond JavaScript's safe range keeps its digits as a string (from_domain.go). */
export function toKeyValue(key: string, v: AnyValue): JaegerKeyValue {
  if (typeof v === 'string') return { key, type: 'string', value: v };
  if (typeof v === 'boolean') return { key, type: 'bool', value: v };
  if (typeof v === 'number') return { key, type: Number.isInteger(v) ? 'int64' : 'float64', value: v };
  if (v === null) return { key, type: 'string', value: '' };
  if (Array.isArray(v)) return { key, type: 'string', value: JSON.stringify(v) };
  const t = readTagged(v);
  if ('bytes' in t) return { key, type: 'binary', value: t.bytes };
  if ('int' in t) {
    const n = BigInt(t.int);
    return { key, type: 'int64', value: n > MAX_SAFE || n < -MAX_SAFE ? t.int : Number(n) };
  }
  return { key, type: 'string', value: JSON.stringify(t.map) };
}

function keyValues(attributes: Attributes, skip?: string): JaegerKeyValue[] {
  return Object.entries(attributes)
    .filter(([k]) => k !== skip)
    .map(([k, v]) => toKeyValue(k, v));
}

const byKey = (a: JaegerKeyValue, b: JaegerKeyValue): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Sorted by key; Array.prototype.sort is stable, so equal keys keep the translator's order. */
function sorted(tags: JaegerKeyValue[]): JaegerKeyValue[] {
  return tags.sort(byKey);
}

function micros(iso: string): bigint {
  return (isoToNanos(iso) ?? 0n) / 1000n;
}

function spanTags(s: SpanRecord): JaegerKeyValue[] {
  const tags: JaegerKeyValue[] = [];
  const str = (key: string, value: string) => tags.push({ key, type: 'string', value });
  if (s.scope.name) str('otel.scope.name', s.scope.name);
  if (s.scope.version) str('otel.scope.version', s.scope.version);
  tags.push(...keyValues(s.attributes));
  if (s.kind !== 'UNSPECIFIED') str('span.kind', s.kind.toLowerCase());
  if (s.status.code !== 'UNSET') str('otel.status_code', s.status.code);
  if (s.status.code === 'ERROR') tags.push({ key: 'error', type: 'bool', value: true });
  if (s.status.message) str('otel.status_description', s.status.message);
  if (s.trace_state) str('w3c.tracestate', s.trace_state);
  return tags;
}

function references(s: SpanRecord): JaegerReference[] {
  const refs: JaegerReference[] = [];
  if (s.parent_span_id) refs.push({ refType: 'CHILD_OF', traceID: s.trace_id, spanID: s.parent_span_id });
  for (const l of s.links) {
    const refType = l.attributes['opentracing.ref_type'] === 'child_of' ? 'CHILD_OF' : 'FOLLOWS_FROM';
    // A link to the parent itself only sets the parent reference's type (the translator does the same).
    if (s.parent_span_id && l.trace_id === s.trace_id && l.span_id === s.parent_span_id) refs[0].refType = refType;
    else refs.push({ refType, traceID: l.trace_id, spanID: l.span_id });
  }
  return refs;
}

function eventLog(e: SpanEvent): JaegerLog {
  const fields = keyValues(e.attributes);
  if (e.name && !('event' in e.attributes)) fields.unshift({ key: 'event', type: 'string', value: e.name });
  const i = fields.findIndex((f) => f.key === 'event' && f.type === 'string');
  const first = i >= 0 ? fields.splice(i, 1) : [];
  return { timestamp: Number(micros(e.time)), fields: [...first, ...sorted(fields)] };
}

export function toJaegerSpan(s: SpanRecord, processID: string): JaegerSpan {
  const start = micros(s.start_time);
  const flags = (s.flags ?? 0) & 0xff;
  return {
    traceID: s.trace_id,
    spanID: s.span_id,
    ...(flags ? { flags } : {}),
    operationName: s.name,
    references: references(s),
    startTime: Number(start),
    duration: Number(((isoToNanos(s.end_time) ?? 0n) - (isoToNanos(s.start_time) ?? 0n)) / 1000n),
    tags: sorted(spanTags(s)),
    logs: s.events.map(eventLog),
    processID,
    warnings: null,
  };
}

export function toJaegerProcess(resource: Attributes): JaegerProcess {
  const name = resource['service.name'];
  const serviceName = typeof name === 'string' ? name : Object.keys(resource).length === 0 ? NO_SERVICE_NAME : '';
  return { serviceName, tags: sorted(keyValues(resource, 'service.name')) };
}

/** One trace's spans (in the order given) as a Jaeger trace; processes p1, p2, … by first appearance. */
export function toJaegerTrace(spans: readonly SpanRecord[]): JaegerTrace {
  const processes: Record<string, JaegerProcess> = {};
  const ids = new Map<string, string>();
  const out = spans.map((s) => {
    const process = toJaegerProcess(s.resource);
    const key = JSON.stringify(process);
    let id = ids.get(key);
    if (id === undefined) {
      id = `p${ids.size + 1}`;
      ids.set(key, id);
      processes[id] = process;
    }
    return toJaegerSpan(s, id);
  });
  return { traceID: spans[0]?.trace_id ?? '', spans: out, processes, warnings: null };
}
