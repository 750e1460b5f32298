/**
 * One OTLP JSON Span to the record model, every field checked. Trace id, span id, start and end times are
 * required; kind and status code are the proto enum integers (names accepted too); an event with no time
 * takes the span's start. duration_ms is computed from the nanosecond times.
 */
import type { SpanEvent, SpanLink, SpanRecord, SpanStatus } from '../model.js';
import { SPAN_KINDS, STATUS_CODES } from '../model.js';
import { decodeKeyValueList } from './any-value.js';
import { isObject, isoFromNanos, readEnum, readId, readString, readTime, readUint32 } from './fields.js';
import { invalidText } from './invalid-text.js';
import { fail, INVALID, within, type DecodeContext, type Invalid, type RecordGroup } from './limits.js';

function readStatus(ctx: DecodeContext, v: unknown): SpanStatus | Invalid {
  if (v === undefined || v === null) return { code: 'UNSET' };
  if (!isObject(v)) return fail(ctx, '', 'not an object');
  const code = readEnum(ctx, v.code, STATUS_CODES, 'STATUS_CODE_');
  if (code === INVALID) return within(ctx, '.code');
  const message = readString(ctx, v.message, ctx.maxValueLength);
  if (message === INVALID) return within(ctx, '.message');
  return message ? { code: STATUS_CODES[code], message } : { code: STATUS_CODES[code] };
}

function readEvents(ctx: DecodeContext, v: unknown, start: bigint): SpanEvent[] | Invalid {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(ctx, '', 'not an array');
  const out: SpanEvent[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (!isObject(e)) return fail(ctx, `[${i}]`, 'not an object');
    const time = readTime(ctx, e.timeUnixNano);
    if (time === INVALID) return within(ctx, `[${i}].timeUnixNano`);
    const name = readString(ctx, e.name, ctx.maxValueLength);
    if (name === INVALID) return within(ctx, `[${i}].name`);
    const attributes = decodeKeyValueList(ctx, e.attributes, 0, true);
    if (attributes === INVALID) return within(ctx, `[${i}].attributes`);
    const dropped = readUint32(ctx, e.droppedAttributesCount);
    if (dropped === INVALID) return within(ctx, `[${i}].droppedAttributesCount`);
    const event: SpanEvent = { name: name ?? '', time: isoFromNanos(ctx, time === 0n ? start : time), attributes };
    const total = (dropped ?? 0) + ctx.lastDropped;
    if (total > 0) event.dropped_attributes_count = total;
    out[i] = event;
  }
  return out;
}

function readLinks(ctx: DecodeContext, v: unknown): SpanLink[] | Invalid {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(ctx, '', 'not an array');
  const out: SpanLink[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const l: unknown = v[i];
    if (!isObject(l)) return fail(ctx, `[${i}]`, 'not an object');
    const traceId = readId(ctx, l.traceId, 32);
    if (traceId === INVALID) return within(ctx, `[${i}].traceId`);
    if (traceId === undefined) return fail(ctx, `[${i}].traceId`, 'missing');
    const spanId = readId(ctx, l.spanId, 16);
    if (spanId === INVALID) return within(ctx, `[${i}].spanId`);
    if (spanId === undefined) return fail(ctx, `[${i}].spanId`, 'missing');
    const traceState = readString(ctx, l.traceState, ctx.maxValueLength);
    if (traceState === INVALID) return within(ctx, `[${i}].traceState`);
    const attributes = decodeKeyValueList(ctx, l.attributes, 0, true);
    if (attributes === INVALID) return within(ctx, `[${i}].attributes`);
    const dropped = readUint32(ctx, l.droppedAttributesCount);
    if (dropped === INVALID) return within(ctx, `[${i}].droppedAttributesCount`);
    const flags = readUint32(ctx, l.flags);
    if (flags === INVALID) return within(ctx, `[${i}].flags`);
    const link: SpanLink = { trace_id: traceId, span_id: spanId, attributes };
    if (traceState) link.trace_state = traceState;
    if (flags !== undefined) link.flags = flags;
    const total = (dropped ?? 0) + ctx.lastDropped;
    if (total > 0) link.dropped_attributes_count = total;
    out[i] = link;
  }
  return out;
}

function count(ctx: DecodeContext, v: unknown, name: string): number | Invalid {
  const n = readUint32(ctx, v);
  return n === INVALID ? within(ctx, name) : (n ?? 0);
}

/** The span's ids, trace state and flags, each checked. */
function readIdentity(ctx: DecodeContext, raw: Record<string, unknown>) {
  const traceId = readId(ctx, raw.traceId, 32);
  if (traceId === INVALID) return within(ctx, '.traceId');
  if (traceId === undefined) return fail(ctx, '.traceId', 'missing');
  const spanId = readId(ctx, raw.spanId, 16);
  if (spanId === INVALID) return within(ctx, '.spanId');
  if (spanId === undefined) return fail(ctx, '.spanId', 'missing');
  const parent = readId(ctx, raw.parentSpanId, 16);
  if (parent === INVALID) return within(ctx, '.parentSpanId');
  const traceState = readString(ctx, raw.traceState, ctx.maxValueLength);
  if (traceState === INVALID) return within(ctx, '.traceState');
  const flags = readUint32(ctx, raw.flags);
  if (flags === INVALID) return within(ctx, '.flags');
  return { traceId, spanId, parent, traceState, flags };
}

/** Start and end, both set, the end not before the start. */
function readSpanTimes(ctx: DecodeContext, raw: Record<string, unknown>) {
  const start = readTime(ctx, raw.startTimeUnixNano);
  if (start === INVALID) return within(ctx, '.startTimeUnixNano');
  if (start === 0n) return fail(ctx, '.startTimeUnixNano', 'missing');
  const end = readTime(ctx, raw.endTimeUnixNano);
  if (end === INVALID) return within(ctx, '.endTimeUnixNano');
  if (end === 0n) return fail(ctx, '.endTimeUnixNano', 'missing');
  if (end < start) return fail(ctx, '.endTimeUnixNano', 'before startTimeUnixNano');
  return { start, end };
}

export function decodeSpan(ctx: DecodeContext, raw: unknown, { resource, resourceSchemaUrl, scope }: RecordGroup): SpanRecord | Invalid {
  if (!isObject(raw)) return fail(ctx, '', 'not an object');
  const bad = invalidText(raw);
  if (bad) return fail(ctx, '', bad);
  const ids = readIdentity(ctx, raw);
  if (ids === INVALID) return INVALID;
  const { traceId, spanId, parent, traceState, flags } = ids;
  const name = readString(ctx, raw.name, ctx.maxValueLength);
  if (name === INVALID) return within(ctx, '.name');
  const kind = readEnum(ctx, raw.kind, SPAN_KINDS, 'SPAN_KIND_');
  if (kind === INVALID) return within(ctx, '.kind');
  const times = readSpanTimes(ctx, raw);
  if (times === INVALID) return INVALID;
  const { start, end } = times;

  const attributes = decodeKeyValueList(ctx, raw.attributes, 0, true);
  if (attributes === INVALID) return within(ctx, '.attributes');
  const droppedAttributes = count(ctx, raw.droppedAttributesCount, '.droppedAttributesCount');
  if (droppedAttributes === INVALID) return INVALID;
  const totalDropped = droppedAttributes + ctx.lastDropped;
  const events = readEvents(ctx, raw.events, start);
  if (events === INVALID) return within(ctx, '.events');
  const droppedEvents = count(ctx, raw.droppedEventsCount, '.droppedEventsCount');
  if (droppedEvents === INVALID) return INVALID;
  const links = readLinks(ctx, raw.links);
  if (links === INVALID) return within(ctx, '.links');
  const droppedLinks = count(ctx, raw.droppedLinksCount, '.droppedLinksCount');
  if (droppedLinks === INVALID) return INVALID;
  const status = readStatus(ctx, raw.status);
  if (status === INVALID) return within(ctx, '.status');

  const span: SpanRecord = {
    trace_id: traceId,
    span_id: spanId,
    name: name ?? '',
    kind: SPAN_KINDS[kind],
    start_time: isoFromNanos(ctx, start),
    end_time: isoFromNanos(ctx, end),
    duration_ms: Number(end - start) / 1e6,
    status,
    attributes,
    events,
    links,
    resource,
    scope,
    // Protobuf cannot tell flags 0 from absent: a span always has its flags, 0 included.
    flags: flags ?? 0,
  };
  if (parent !== undefined) span.parent_span_id = parent;
  if (traceState) span.trace_state = traceState;
  if (resourceSchemaUrl) span.resource_schema_url = resourceSchemaUrl;
  if (totalDropped > 0) span.dropped_attributes_count = totalDropped;
  if (droppedEvents > 0) span.dropped_events_count = droppedEvents;
  if (droppedLinks > 0) span.dropped_links_count = droppedLinks;
  return span;
}
