/**
 * An ended span (sdk/span.ts; sdk-trace's ReadableSpan has the same shape) in OTLP JSON form, with its resource and scope: what the queue keeps,
 * so that sending spans needs no encoder (the lite build, sending for a full-build tab, has none).
 */
import type { Attributes as OtelAttributes, HrTime } from '@opentelemetry/api';
import type { EndedSpan } from './sdk/span.js';
import type { Attributes, InstrumentationScope } from '../../shared/model.js';
import { encodeKeyValues } from '../../shared/otlp/any-value.js';
import type { OtlpKeyValue, OtlpSpanKind, OtlpSpanRecord, OtlpStatusCode } from '../../shared/otlp/types.js';
import { sanitizeAttributes } from '../../shared/sanitize.js';

/** [seconds, nanoseconds] as decimal nanoseconds, exactly: as a number it would round beyond 2^53. */
const nanos = (t: HrTime): string => (t[0] > 0 ? t[0] + String(t[1]).padStart(9, '0') : String(t[1]));

// OTel attribute values are primitives or arrays of them (possibly with null/undefined holes): the sanitizer
// makes them plain JSON.
const attributes = (a: OtelAttributes | undefined): OtlpKeyValue[] => encodeKeyValues(sanitizeAttributes(a).attributes);

export function toOtlpSpan(span: EndedSpan, resource: Attributes, scope: InstrumentationScope): OtlpSpanRecord {
  const sc = span.spanContext();
  const out: OtlpSpanRecord = { traceId: sc.traceId, spanId: sc.spanId, resource, scope };
  const ts = sc.traceState?.serialize();
  if (ts) out.traceState = ts;
  if (span.parentSpanContext) out.parentSpanId = span.parentSpanContext.spanId;
  out.flags = sc.traceFlags;
  out.name = span.name;
  // api SpanKind: INTERNAL 0 … CONSUMER 4; OTLP's list starts with UNSPECIFIED.
  out.kind = (span.kind + 1) as OtlpSpanKind;
  out.startTimeUnixNano = nanos(span.startTime);
  out.endTimeUnixNano = nanos(span.endTime);
  out.attributes = attributes(span.attributes);
  if (span.droppedAttributesCount) out.droppedAttributesCount = span.droppedAttributesCount;
  out.events = span.events.map((e) => ({ timeUnixNano: nanos(e.time), name: e.name, attributes: attributes(e.attributes) }));
  if (span.droppedEventsCount) out.droppedEventsCount = span.droppedEventsCount;
  out.links = span.links.map((l) => ({
    traceId: l.context.traceId,
    spanId: l.context.spanId,
    attributes: attributes(l.attributes),
    flags: l.context.traceFlags,
  }));
  if (span.droppedLinksCount) out.droppedLinksCount = span.droppedLinksCount;
  out.status = { code: span.status.code as OtlpStatusCode };
  if (span.status.message) out.status.message = span.status.message;
  return out;
}
