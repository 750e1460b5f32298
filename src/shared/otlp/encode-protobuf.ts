/**
 * OTLP JSON-shaped requests (what encodeLogsExact/encodeSpansExact build) to protobuf bytes: the inverse of
 * protobuf.ts, with the same field numbers (opentelemetry-proto logs.proto, trace.proto, common.proto,
 * resource.proto). Used where the wire format is protobuf without HTTP: Kafka topics in the Collector's
 * layout. Empty and default fields are left out, as proto3 does.
 */
import type {
  ExportLogsServiceRequest,
  ExportTraceServiceRequest,
  OtlpAnyValue,
  OtlpInstrumentationScope,
  OtlpKeyValue,
  OtlpLogRecord,
  OtlpResource,
  OtlpSpan,
  OtlpSpanEvent,
  OtlpSpanLink,
} from './types.js';
import { Writer, hexBytes } from './protobuf-writer.js';

export type Encode<T> = (w: Writer, value: T) => void;

export function message<T>(w: Writer, field: number, value: T, encode: Encode<T>): void {
  w.tag(field, 2);
  const start = w.begin();
  encode(w, value);
  w.end(start);
}

export function str(w: Writer, field: number, s: string | undefined): void {
  if (s) {
    w.tag(field, 2);
    w.string(s);
  }
}

export function uint(w: Writer, field: number, v: number | undefined): void {
  if (v) {
    w.tag(field, 0);
    w.varint(v);
  }
}

export function id(w: Writer, field: number, hex: string | undefined): void {
  if (hex) {
    w.tag(field, 2);
    w.bytes(hexBytes(hex));
  }
}

export function time(w: Writer, field: number, nanos: string | number | undefined): void {
  if (nanos === undefined || nanos === 0 || nanos === '0' || nanos === '') return;
  w.tag(field, 1);
  w.fixed64(BigInt(nanos));
}

function flags(w: Writer, field: number, v: number | undefined): void {
  if (v) {
    w.tag(field, 5);
    w.fixed32(v);
  }
}

const SPECIAL_DOUBLES: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function anyValue(w: Writer, v: OtlpAnyValue): void {
  if (v.stringValue !== undefined) {
    w.tag(1, 2);
    w.string(v.stringValue);
  } else if (v.boolValue !== undefined) {
    w.tag(2, 0);
    w.varint(v.boolValue ? 1 : 0);
  } else if (v.intValue !== undefined) {
    w.tag(3, 0);
    w.varint64(BigInt(v.intValue));
  } else if (v.doubleValue !== undefined) {
    w.tag(4, 1);
    w.double(typeof v.doubleValue === 'number' ? v.doubleValue : (SPECIAL_DOUBLES[v.doubleValue] ?? Number(v.doubleValue)));
  } else if (v.arrayValue) {
    message(w, 5, v.arrayValue.values ?? [], (ww, values) => values.forEach((x) => message(ww, 1, x, anyValue)));
  } else if (v.kvlistValue) {
    message(w, 6, v.kvlistValue.values ?? [], (ww, values) => keyValues(ww, 1, values));
  } else if (v.bytesValue !== undefined) {
    w.tag(7, 2);
    w.bytes(Uint8Array.from(atob(v.bytesValue), (c) => c.charCodeAt(0)));
  }
}

function keyValue(w: Writer, kv: OtlpKeyValue): void {
  str(w, 1, kv.key);
  if (kv.value) message(w, 2, kv.value, anyValue);
}

export function keyValues(w: Writer, field: number, list: OtlpKeyValue[] | undefined): void {
  if (list) for (const kv of list) message(w, field, kv, keyValue);
}

export function resource(w: Writer, r: OtlpResource): void {
  keyValues(w, 1, r.attributes);
  uint(w, 2, r.droppedAttributesCount);
}

export function scope(w: Writer, s: OtlpInstrumentationScope): void {
  str(w, 1, s.name);
  str(w, 2, s.version);
  keyValues(w, 3, s.attributes);
  uint(w, 4, s.droppedAttributesCount);
}

function logRecord(w: Writer, r: OtlpLogRecord): void {
  time(w, 1, r.timeUnixNano);
  uint(w, 2, r.severityNumber);
  str(w, 3, r.severityText);
  if (r.body) message(w, 5, r.body, anyValue);
  keyValues(w, 6, r.attributes);
  uint(w, 7, r.droppedAttributesCount);
  flags(w, 8, r.flags);
  id(w, 9, r.traceId);
  id(w, 10, r.spanId);
  time(w, 11, r.observedTimeUnixNano);
  str(w, 12, r.eventName);
}

function event(w: Writer, e: OtlpSpanEvent): void {
  time(w, 1, e.timeUnixNano);
  str(w, 2, e.name);
  keyValues(w, 3, e.attributes);
  uint(w, 4, e.droppedAttributesCount);
}

function link(w: Writer, l: OtlpSpanLink): void {
  id(w, 1, l.traceId);
  id(w, 2, l.spanId);
  str(w, 3, l.traceState);
  keyValues(w, 4, l.attributes);
  uint(w, 5, l.droppedAttributesCount);
  flags(w, 6, l.flags);
}

function span(w: Writer, s: OtlpSpan): void {
  id(w, 1, s.traceId);
  id(w, 2, s.spanId);
  str(w, 3, s.traceState);
  id(w, 4, s.parentSpanId);
  str(w, 5, s.name);
  uint(w, 6, s.kind);
  time(w, 7, s.startTimeUnixNano);
  time(w, 8, s.endTimeUnixNano);
  keyValues(w, 9, s.attributes);
  uint(w, 10, s.droppedAttributesCount);
  for (const e of s.events ?? []) message(w, 11, e, event);
  uint(w, 12, s.droppedEventsCount);
  for (const l of s.links ?? []) message(w, 13, l, link);
  uint(w, 14, s.droppedLinksCount);
  if (s.status && (s.status.code || s.status.message)) {
    message(w, 15, s.status, (ww, st) => {
      str(ww, 2, st.message);
      uint(ww, 3, st.code);
    });
  }
  flags(w, 16, s.flags);
}

/** ResourceX / ScopeX share one layout: 1 head, 2 repeated items, 3 schema_url. */
export function group<H, I>(head: H | undefined, encodeHead: Encode<H>, items: I[] | undefined, encodeItem: Encode<I>, schemaUrl: string | undefined): Encode<unknown> {
  return (w) => {
    if (head) message(w, 1, head, encodeHead);
    for (const item of items ?? []) message(w, 2, item, encodeItem);
    str(w, 3, schemaUrl);
  };
}

/** An ExportLogsServiceRequest (OTLP JSON shape) in protobuf. */
export function encodeLogsProtobuf(req: ExportLogsServiceRequest): Uint8Array {
  const w = new Writer();
  for (const rl of req.resourceLogs ?? []) {
    message(w, 1, rl, group(rl.resource, resource, rl.scopeLogs, (ww, sl) => group(sl.scope, scope, sl.logRecords, logRecord, sl.schemaUrl)(ww, sl), rl.schemaUrl));
  }
  return w.finish();
}

/** An ExportTraceServiceRequest (OTLP JSON shape) in protobuf. */
export function encodeTracesProtobuf(req: ExportTraceServiceRequest): Uint8Array {
  const w = new Writer();
  for (const rs of req.resourceSpans ?? []) {
    message(w, 1, rs, group(rs.resource, resource, rs.scopeSpans, (ww, ss) => group(ss.scope, scope, ss.spans, span, ss.schemaUrl)(ww, ss), rs.schemaUrl));
  }
  return w.finish();
}
