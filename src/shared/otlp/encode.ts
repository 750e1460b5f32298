/**
 * Model records to OTLP JSON requests, grouped by resource and scope (records whose resource serializes
 * the same share one ResourceLogs/ResourceSpans; the same for scopes within it). Times go out as decimal
 * nanosecond strings, ids as hex, enums as integers. A log's record_id goes out as the log.record.uid
 * attribute (the OTel semantic convention) unless the attributes already carry one.
 */
import type { Attributes, InstrumentationScope, LogRecord, SpanEvent, SpanLink, SpanRecord } from '../model.js';
import { SPAN_KINDS, STATUS_CODES } from '../model.js';
import { isoToNanoText } from '../time.js';
import { encodeAnyValue, encodeKeyValues, LOG_RECORD_UID } from './any-value.js';
import type {
  ExportLogsServiceRequest,
  ExportTraceServiceRequest,
  OtlpInstrumentationScope,
  OtlpLogRecord,
  OtlpResource,
  OtlpSpan,
  OtlpSpanEvent,
  OtlpSpanKind,
  OtlpSpanLink,
  OtlpSpanRecord,
  OtlpStatusCode,
} from './types.js';

interface Group<R> {
  resource: OtlpResource;
  scopes: Map<string, { scope: OtlpInstrumentationScope; items: R[] }>;
}

/**
 * Groups by the serialized resource and scope. Records of one process share their resource object, so the
 * serialization is cached per object: one JSON.stringify per distinct object, not per record.
 */
function group<T extends { resource: Attributes; scope: InstrumentationScope }, R>(
  records: readonly T[],
  encodeOne: (record: T) => R,
): Group<R>[] {
  const keys = new Map<object, string>();
  const keyOf = (o: object): string => {
    let k = keys.get(o);
    if (k === undefined) {
      try {
        k = JSON.stringify(o);
      } catch {
        // Not plain JSON (a cycle, a BigInt): the model forbids it, so give the object a group of its own.
        k = `#${keys.size}`;
      }
      keys.set(o, k);
    }
    return k;
  };
  const groups = new Map<string, Group<R>>();
  for (const record of records) {
    const rk = keyOf(record.resource || {});
    let g = groups.get(rk);
    if (!g) {
      g = { resource: { attributes: encodeKeyValues(record.resource || {}) }, scopes: new Map() };
      groups.set(rk, g);
    }
    const sk = keyOf(record.scope || {});
    let s = g.scopes.get(sk);
    if (!s) {
      s = { scope: encodeScope(record.scope), items: [] };
      g.scopes.set(sk, s);
    }
    s.items.push(encodeOne(record));
  }
  return Array.from(groups.values());
}

function encodeScope(scope: Partial<InstrumentationScope> = {}): OtlpInstrumentationScope {
  const out: OtlpInstrumentationScope = { name: scope.name || '' };
  if (scope.version) out.version = scope.version;
  if (scope.attributes && Object.keys(scope.attributes).length > 0) out.attributes = encodeKeyValues(scope.attributes);
  return out;
}

/** A model timestamp as decimal nanoseconds; '0' (unset) when it is not a valid timestamp. */
const nanos = isoToNanoText;

function encodeLogRecord(r: LogRecord): OtlpLogRecord {
  const attrs: Attributes = r.attributes || {};
  const attributes = encodeKeyValues(attrs);
  if (r.record_id && !Object.hasOwn(attrs, LOG_RECORD_UID)) {
    attributes.push({ key: LOG_RECORD_UID, value: { stringValue: r.record_id } });
  }
  const out: OtlpLogRecord = {
    timeUnixNano: nanos(r.timestamp),
    observedTimeUnixNano: nanos(r.observed_timestamp),
    severityNumber: r.severity_number,
    severityText: r.severity_text,
  };
  if (r.body != null) out.body = encodeAnyValue(r.body);
  out.attributes = attributes;
  if (r.dropped_attributes_count) out.droppedAttributesCount = r.dropped_attributes_count;
  if (r.trace_flags !== undefined) out.flags = r.trace_flags;
  if (r.trace_id) out.traceId = r.trace_id;
  if (r.span_id) out.spanId = r.span_id;
  if (r.event_name) out.eventName = r.event_name;
  return out;
}

function encodeEvent(e: SpanEvent): OtlpSpanEvent {
  const out: OtlpSpanEvent = { timeUnixNano: nanos(e.time), name: e.name, attributes: encodeKeyValues(e.attributes || {}) };
  if (e.dropped_attributes_count) out.droppedAttributesCount = e.dropped_attributes_count;
  return out;
}

function encodeLink(l: SpanLink): OtlpSpanLink {
  const out: OtlpSpanLink = { traceId: l.trace_id, spanId: l.span_id, attributes: encodeKeyValues(l.attributes || {}) };
  if (l.trace_state) out.traceState = l.trace_state;
  if (l.dropped_attributes_count) out.droppedAttributesCount = l.dropped_attributes_count;
  if (l.flags !== undefined) out.flags = l.flags;
  return out;
}

function encodeSpan(s: SpanRecord): OtlpSpan {
  const kind = SPAN_KINDS.indexOf(s.kind);
  const code = STATUS_CODES.indexOf(s.status?.code);
  const out: OtlpSpan = { traceId: s.trace_id, spanId: s.span_id };
  if (s.trace_state) out.traceState = s.trace_state;
  if (s.parent_span_id) out.parentSpanId = s.parent_span_id;
  if (s.flags !== undefined) out.flags = s.flags;
  out.name = s.name;
  out.kind = (kind < 0 ? 0 : kind) as OtlpSpanKind;
  out.startTimeUnixNano = nanos(s.start_time);
  out.endTimeUnixNano = nanos(s.end_time);
  out.attributes = encodeKeyValues(s.attributes || {});
  if (s.dropped_attributes_count) out.droppedAttributesCount = s.dropped_attributes_count;
  out.events = (s.events || []).map(encodeEvent);
  if (s.dropped_events_count) out.droppedEventsCount = s.dropped_events_count;
  out.links = (s.links || []).map(encodeLink);
  if (s.dropped_links_count) out.droppedLinksCount = s.dropped_links_count;
  out.status = { code: (code < 0 ? 0 : code) as OtlpStatusCode };
  if (s.status?.message) out.status.message = s.status.message;
  return out;
}

export function encodeLogs(records: readonly LogRecord[]): ExportLogsServiceRequest {
  return groupOtlp(records, 'Logs', encodeLogRecord) as ExportLogsServiceRequest;
}

export function encodeSpans(spans: readonly SpanRecord[]): ExportTraceServiceRequest {
  return groupSpans(spans.map((s) => Object.assign(encodeSpan(s), { resource: s.resource, scope: s.scope })));
}

/**
 * Spans already in OTLP form, each with its resource and scope (how the browser queues them: its builds
 * then need no span encoder), grouped into one request.
 */
export function groupSpans(spans: readonly OtlpSpanRecord[]): ExportTraceServiceRequest {
  return groupOtlp(spans, 'Spans') as ExportTraceServiceRequest;
}

/**
 * Records that are OTLP items plus their resource and scope, grouped as OTLP requests spell them: `Spans` gives
 * `{resourceSpans: [{resource, scopeSpans: [{scope, spans}]}]}`, `Metrics` the same with metrics (the browser
 * meter's queued metrics). One function for both, so the browser builds carry no second copy.
 */
export function groupOtlp<T extends ItemRecord>(
  records: readonly T[],
  signal: 'Spans' | 'Metrics' | 'Logs',
  // By default the resource and scope go to the group; the item itself is everything else.
  item: (record: T) => object = ({ resource, scope, ...rest }) => rest,
): object {
  return {
    ['resource' + signal]: group(records, item).map((g) => ({
      resource: g.resource,
      ['scope' + signal]: Array.from(g.scopes.values(), (s) => ({ scope: s.scope, [signal === 'Logs' ? 'logRecords' : signal.toLowerCase()]: s.items })),
    })),
  };
}

type ItemRecord = { resource: Attributes; scope: InstrumentationScope };
