import type { HrTime, Link, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { AnyValue, Attributes, InstrumentationScope, SpanKindName, SpanRecord, StatusCodeName } from '../shared/model.js';
import { SPAN_KINDS, STATUS_CODES } from '../shared/model.js';
import { msToIso } from '../shared/time.js';
import { DEFAULT_SANITIZE_LIMITS, sanitizeAttributes, type SanitizeLimits } from '../shared/sanitize.js';

/** HrTime [seconds, nanos] to the model's ISO form (microsecond precision). */
export function hrToIso(t: HrTime): string {
  return msToIso(t[0] * 1000 + t[1] / 1e6);
}

function hrToMs(t: HrTime): number {
  return t[0] * 1000 + t[1] / 1e6;
}

// SpanKind in the API is 0-based INTERNAL..CONSUMER; the model (like OTLP) has UNSPECIFIED first.
function kindName(kind: SpanKind): SpanKindName {
  return SPAN_KINDS[(kind as number) + 1] ?? 'INTERNAL';
}

function statusName(code: SpanStatusCode): StatusCodeName {
  return STATUS_CODES[code as number] ?? 'UNSET';
}

/**
 * The SDK has already validated span attributes (primitives and arrays of them), so the common span, whose
 * values are all flat and within the limits, keeps the SDK's own (ended, no longer written) object instead of
 * a copy (toSpanRecord 400 → 240 ns with three attributes, 2-core VM); anything else goes through sanitizeAttributes.
 */
function attrs(a: Record<string, unknown> | undefined, limits: SanitizeLimits = DEFAULT_SANITIZE_LIMITS): Attributes {
  if (!a) return {};
  const keys = Object.keys(a);
  if (keys.length > limits.maxAttributes) return sanitizeAttributes(a, limits).attributes;
  for (const key of keys) {
    const v = a[key];
    const t = typeof v;
    if (t === 'string' ? (v as string).length > limits.maxStringLength : t !== 'boolean' && !(t === 'number' && Number.isFinite(v))) {
      return sanitizeAttributes(a, limits).attributes;
    }
    // '__proto__' and 'prototype' have 9 characters, 'constructor' 11 (see sanitize.ts).
    if ((key.length === 9 || key.length === 11) && FORBIDDEN.has(key)) return sanitizeAttributes(a, limits).attributes;
  }
  return a as Attributes;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * An SDK span, once ended, in the record model. The resource is passed in (the process's frozen resource
 * object) rather than read from the span so that every record of a process shares one object, which the
 * JSONL writer serializes once.
 */
export function toSpanRecord(span: ReadableSpan, resource: Attributes, scope: InstrumentationScope, limits?: SanitizeLimits): SpanRecord {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext;
  const rec: SpanRecord = {
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    name: span.name,
    kind: kindName(span.kind),
    start_time: hrToIso(span.startTime),
    end_time: hrToIso(span.endTime),
    duration_ms: Math.max(0, hrToMs(span.endTime) - hrToMs(span.startTime)),
    status: span.status.message
      ? { code: statusName(span.status.code), message: span.status.message }
      : { code: statusName(span.status.code) },
    attributes: attrs(span.attributes, limits),
    events: span.events.length === 0 ? [] : span.events.map((e: TimedEvent) => ({ name: e.name, time: hrToIso(e.time), attributes: attrs(e.attributes, limits) })),
    links: span.links.length === 0 ? [] : span.links.map((l: Link) => ({
      trace_id: l.context.traceId,
      span_id: l.context.spanId,
      attributes: attrs(l.attributes, limits),
    })),
    resource,
    scope,
    flags: ctx.traceFlags,
  };
  if (parent?.spanId) rec.parent_span_id = parent.spanId;
  const ts = ctx.traceState?.serialize();
  if (ts) rec.trace_state = ts;
  if (span.droppedAttributesCount) rec.dropped_attributes_count = span.droppedAttributesCount;
  if (span.droppedEventsCount) rec.dropped_events_count = span.droppedEventsCount;
  if (span.droppedLinksCount) rec.dropped_links_count = span.droppedLinksCount;
  return rec;
}

export type { AnyValue };
