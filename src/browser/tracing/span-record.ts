/** An ended OTel span (ReadableSpan) as the model's SpanRecord. */
import type { Attributes as OtelAttributes, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-web';
import type { Attributes, InstrumentationScope, SpanRecord } from '../../shared/model.js';
import { SPAN_KINDS, STATUS_CODES } from '../../shared/model.js';
import { sanitizeAttributes } from '../../shared/sanitize.js';
import { msToIso } from '../../shared/time.js';

const hrToMs = (t: HrTime): number => t[0] * 1e3 + t[1] / 1e6;

// OTel attribute values are primitives or arrays of them (possibly with null/undefined holes): the sanitizer
// makes them plain JSON.
const attrs = (a: OtelAttributes | undefined): Attributes => sanitizeAttributes(a).attributes;

export function toSpanRecord(span: ReadableSpan, resource: Attributes, scope: InstrumentationScope): SpanRecord {
  const sc = span.spanContext();
  const rec: SpanRecord = {
    trace_id: sc.traceId,
    span_id: sc.spanId,
    flags: sc.traceFlags,
    name: span.name,
    // api SpanKind: INTERNAL 0 … CONSUMER 4; the model's list starts with UNSPECIFIED.
    kind: SPAN_KINDS[span.kind + 1] ?? 'INTERNAL',
    start_time: msToIso(hrToMs(span.startTime)),
    end_time: msToIso(hrToMs(span.endTime)),
    duration_ms: hrToMs(span.duration),
    status: { code: STATUS_CODES[span.status.code] ?? 'UNSET' },
    attributes: attrs(span.attributes),
    events: span.events.map((e) => ({ name: e.name, time: msToIso(hrToMs(e.time)), attributes: attrs(e.attributes) })),
    links: span.links.map((l) => ({
      trace_id: l.context.traceId,
      span_id: l.context.spanId,
      flags: l.context.traceFlags,
      attributes: attrs(l.attributes),
    })),
    resource,
    scope,
  };
  const ts = sc.traceState?.serialize();
  if (ts) rec.trace_state = ts;
  if (span.parentSpanContext) rec.parent_span_id = span.parentSpanContext.spanId;
  if (span.status.message) rec.status.message = span.status.message;
  if (span.droppedAttributesCount) rec.dropped_attributes_count = span.droppedAttributesCount;
  if (span.droppedEventsCount) rec.dropped_events_count = span.droppedEventsCount;
  if (span.droppedLinksCount) rec.dropped_links_count = span.droppedLinksCount;
  return rec;
}
