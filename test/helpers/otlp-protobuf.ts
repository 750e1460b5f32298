/**
 * OTLP JSON requests (logs, traces) to their protobuf encoding, for tests that send the same request both
 * ways: hex ids to bytes, decimal-string int64 and times to varints and fixed64, base64 bytesValue to bytes.
 * A string given as a Uint8Array is written as those raw bytes (invalid UTF-8 on purpose).
 */
import { varint, tag, len, fixed64, fixed32, type Bytes } from '../../src/shared/testing/protobuf-writer.js';

type Json = Record<string, unknown>;

const text = (s: unknown): Bytes => (s instanceof Uint8Array ? [...s] : [...new TextEncoder().encode(String(s))]);

/** A string field; absent when empty (the proto3 default). */
const str = (field: number, s: unknown): Bytes => (s === undefined || s === null || s === '' ? [] : len(field, text(s)));

const hexBytes = (field: number, hex: unknown): Bytes => (typeof hex === 'string' && hex ? len(field, [...Buffer.from(hex, 'hex')]) : []);
const time = (field: number, t: unknown): Bytes => (t === undefined || t === null ? [] : fixed64(field, BigInt(String(t))));
const num = (field: number, n: unknown): Bytes => (n === undefined || n === null ? [] : [...tag(field, 0), ...varint(Number(n))]);
const each = (field: number, list: unknown, write: (x: Json) => Bytes): Bytes =>
  Array.isArray(list) ? list.flatMap((x: Json) => len(field, write(x))) : [];

function anyValue(v: Json): Bytes {
  if ('stringValue' in v) return len(1, text(v.stringValue));
  if ('boolValue' in v) return [...tag(2, 0), ...varint(v.boolValue ? 1 : 0)];
  if ('intValue' in v) return [...tag(3, 0), ...varint(String(v.intValue))];
  if ('doubleValue' in v) {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(Number(v.doubleValue));
    return [...tag(4, 1), ...b];
  }
  if ('arrayValue' in v) return len(5, each(1, (v.arrayValue as Json).values, anyValue));
  if ('kvlistValue' in v) return len(6, each(1, (v.kvlistValue as Json).values, keyValue));
  if ('bytesValue' in v) return len(7, [...Buffer.from(String(v.bytesValue), 'base64')]);
  return [];
}

function keyValue(kv: Json): Bytes {
  return [...str(1, kv.key), ...(kv.value ? len(2, anyValue(kv.value as Json)) : [])];
}

const resource = (r: Json): Bytes => each(1, r.attributes, keyValue);
const scope = (s: Json): Bytes => [...str(1, s.name), ...str(2, s.version), ...each(3, s.attributes, keyValue)];

function logRecord(r: Json): Bytes {
  return [
    ...time(1, r.timeUnixNano),
    ...num(2, r.severityNumber),
    ...str(3, r.severityText),
    ...(r.body ? len(5, anyValue(r.body as Json)) : []),
    ...each(6, r.attributes, keyValue),
    ...(r.flags !== undefined ? fixed32(8, Number(r.flags)) : []),
    ...hexBytes(9, r.traceId),
    ...hexBytes(10, r.spanId),
    ...time(11, r.observedTimeUnixNano),
    ...str(12, r.eventName),
  ];
}

function span(s: Json): Bytes {
  const status = s.status as Json | undefined;
  return [
    ...hexBytes(1, s.traceId),
    ...hexBytes(2, s.spanId),
    ...str(3, s.traceState),
    ...hexBytes(4, s.parentSpanId),
    ...str(5, s.name),
    ...num(6, s.kind),
    ...time(7, s.startTimeUnixNano),
    ...time(8, s.endTimeUnixNano),
    ...each(9, s.attributes, keyValue),
    ...each(11, s.events, (e) => [...time(1, e.timeUnixNano), ...str(2, e.name), ...each(3, e.attributes, keyValue)]),
    ...each(13, s.links, (l) => [...hexBytes(1, l.traceId), ...hexBytes(2, l.spanId), ...each(4, l.attributes, keyValue)]),
    ...(status ? len(15, [...str(2, status.message), ...num(3, status.code)]) : []),
    ...(s.flags !== undefined ? fixed32(16, Number(s.flags)) : []),
  ];
}

/** ResourceX / ScopeX: 1 head, 2 items, 3 schema_url. */
function group(head: Bytes, items: Bytes, schemaUrl: unknown): Bytes {
  return [...len(1, head), ...items, ...str(3, schemaUrl)];
}

export function logsToProtobuf(request: Json): Uint8Array<ArrayBuffer> {
  return new Uint8Array(
    each(1, request.resourceLogs, (rl) =>
      group(resource((rl.resource ?? {}) as Json), each(2, rl.scopeLogs, (sl) => group(scope((sl.scope ?? {}) as Json), each(2, sl.logRecords, logRecord), sl.schemaUrl)), rl.schemaUrl),
    ),
  );
}

export function tracesToProtobuf(request: Json): Uint8Array<ArrayBuffer> {
  return new Uint8Array(
    each(1, request.resourceSpans, (rs) =>
      group(resource((rs.resource ?? {}) as Json), each(2, rs.scopeSpans, (ss) => group(scope((ss.scope ?? {}) as Json), each(2, ss.spans, span), ss.schemaUrl)), rs.schemaUrl),
    ),
  );
}
