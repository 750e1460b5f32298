/**
 * OTLP/HTTP protobuf bodies (ExportLogsServiceRequest, ExportTraceServiceRequest) to the same JSON-shaped
 * objects the OTLP JSON encoding gives: lowerCamelCase names, ids as hex, 64-bit times as decimal strings,
 * enums as integers, bytesValue as base64. The result goes through decodeLogs/decodeSpans, which check
 * every field, so this layer only checks the wire format. Malformed input throws a ProtobufError (the
 * ingest calls it inside a try and answers 400); invalid UTF-8 in a string only marks the record (or
 * resource, scope) that holds it, which decodeLogs/decodeSpans then reject with the reason. Field numbers: opentelemetry-proto logs.proto,
 * trace.proto and collector/{logs,trace}/v1/*_service.proto; each case is commented `number name`.
 */
import { ProtobufError, Reader } from './protobuf-reader.js';
import {
  groupReader,
  settleText,
  readAnyValue,
  readKeyValue,
  readResource,
  readScope,
  requestReader,
  sub,
  type MessageReader,
  type Obj,
} from './protobuf-common.js';

export { ProtobufError } from './protobuf-reader.js';
export { MAX_PROTOBUF_DEPTH } from './protobuf-common.js';

const LOG_RECORD = ['', 'timeUnixNano', 'severityNumber', 'severityText', '', 'body', 'attributes', 'droppedAttributesCount',
  'flags', 'traceId', 'spanId', 'observedTimeUnixNano', 'eventName'];
const SPAN = ['', 'traceId', 'spanId', 'traceState', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano',
  'attributes', 'droppedAttributesCount', 'events', 'droppedEventsCount', 'links', 'droppedLinksCount', 'status', 'flags'];
const EVENT = ['', 'timeUnixNano', 'name', 'attributes', 'droppedAttributesCount'];
const LINK = ['', 'traceId', 'spanId', 'traceState', 'attributes', 'droppedAttributesCount', 'flags'];
const STATUS = ['', '', 'message', 'code'];

function readLogRecord(r: Reader, end: number, depth: number): Obj {
  const out: Obj = {};
  const attributes: Obj[] = [];
  while (r.pos < end) {
    const t = r.tag(end);
    switch (t) {
      case 0x09: out.timeUnixNano = r.time(end); break; // 1 time_unix_nano fixed64
      case 0x10: out.severityNumber = r.enumValue(end); break; // 2 severity_number
      case 0x1a: out.severityText = r.string(end, 'LogRecord.severityText'); break; // 3 severity_text
      case 0x2a: out.body = sub(r, end, depth, readAnyValue); break; // 5 body
      case 0x32: attributes.push(sub(r, end, depth, readKeyValue)); break; // 6 attributes
      case 0x38: out.droppedAttributesCount = r.uint32Value(end); break; // 7 dropped_attributes_count
      case 0x45: out.flags = r.fixed32(end); break; // 8 flags fixed32
      case 0x4a: out.traceId = r.bytesHex(end); break; // 9 trace_id
      case 0x52: out.spanId = r.bytesHex(end); break; // 10 span_id
      case 0x59: out.observedTimeUnixNano = r.time(end); break; // 11 observed_time_unix_nano fixed64
      case 0x62: out.eventName = r.string(end, 'LogRecord.eventName'); break; // 12 event_name
      default: r.other(t, end, 'LogRecord', LOG_RECORD);
    }
  }
  out.attributes = attributes;
  return settleText(r, out);
}

function readEvent(r: Reader, end: number, depth: number): Obj {
  const out: Obj = {};
  const attributes: Obj[] = [];
  while (r.pos < end) {
    const t = r.tag(end);
    switch (t) {
      case 0x09: out.timeUnixNano = r.time(end); break; // 1 time_unix_nano fixed64
      case 0x12: out.name = r.string(end, 'Span.Event.name'); break; // 2 name
      case 0x1a: attributes.push(sub(r, end, depth, readKeyValue)); break; // 3 attributes
      case 0x20: out.droppedAttributesCount = r.uint32Value(end); break; // 4 dropped_attributes_count
      default: r.other(t, end, 'Span.Event', EVENT);
    }
  }
  out.attributes = attributes;
  return out;
}

function readLink(r: Reader, end: number, depth: number): Obj {
  const out: Obj = {};
  const attributes: Obj[] = [];
  while (r.pos < end) {
    const t = r.tag(end);
    switch (t) {
      case 0x0a: out.traceId = r.bytesHex(end); break; // 1 trace_id
      case 0x12: out.spanId = r.bytesHex(end); break; // 2 span_id
      case 0x1a: out.traceState = r.string(end, 'Span.Link.traceState'); break; // 3 trace_state
      case 0x22: attributes.push(sub(r, end, depth, readKeyValue)); break; // 4 attributes
      case 0x28: out.droppedAttributesCount = r.uint32Value(end); break; // 5 dropped_attributes_count
      case 0x35: out.flags = r.fixed32(end); break; // 6 flags fixed32
      default: r.other(t, end, 'Span.Link', LINK);
    }
  }
  out.attributes = attributes;
  return out;
}

function readStatus(r: Reader, end: number): Obj {
  const out: Obj = {};
  while (r.pos < end) {
    const t = r.tag(end);
    if (t === 0x12) out.message = r.string(end, 'Status.message'); // 2 message
    else if (t === 0x18) out.code = r.enumValue(end); // 3 code
    else r.other(t, end, 'Status', STATUS);
  }
  return out;
}

function readSpan(r: Reader, end: number, depth: number): Obj {
  const out: Obj = {};
  const attributes: Obj[] = [];
  const events: Obj[] = [];
  const links: Obj[] = [];
  while (r.pos < end) {
    const t = r.tag(end);
    switch (t) {
      case 0x0a: out.traceId = r.bytesHex(end); break; // 1 trace_id
      case 0x12: out.spanId = r.bytesHex(end); break; // 2 span_id
      case 0x1a: out.traceState = r.string(end, 'Span.traceState'); break; // 3 trace_state
      case 0x22: out.parentSpanId = r.bytesHex(end); break; // 4 parent_span_id
      case 0x2a: out.name = r.string(end, 'Span.name'); break; // 5 name
      case 0x30: out.kind = r.enumValue(end); break; // 6 kind
      case 0x39: out.startTimeUnixNano = r.time(end); break; // 7 start_time_unix_nano fixed64
      case 0x41: out.endTimeUnixNano = r.time(end); break; // 8 end_time_unix_nano fixed64
      case 0x4a: attributes.push(sub(r, end, depth, readKeyValue)); break; // 9 attributes
      case 0x50: out.droppedAttributesCount = r.uint32Value(end); break; // 10 dropped_attributes_count
      case 0x5a: events.push(sub(r, end, depth, readEvent)); break; // 11 events
      case 0x60: out.droppedEventsCount = r.uint32Value(end); break; // 12 dropped_events_count
      case 0x6a: links.push(sub(r, end, depth, readLink)); break; // 13 links
      case 0x70: out.droppedLinksCount = r.uint32Value(end); break; // 14 dropped_links_count
      case 0x7a: out.status = sub(r, end, depth, readStatus); break; // 15 status
      case 0x85: out.flags = r.fixed32(end); break; // 16 flags fixed32
      default: r.other(t, end, 'Span', SPAN);
    }
  }
  out.attributes = attributes;
  out.events = events;
  out.links = links;
  return settleText(r, out);
}

const readScopeLogs = groupReader('ScopeLogs', 'scope', 'logRecords', readScope, readLogRecord);
const readResourceLogs = groupReader('ResourceLogs', 'resource', 'scopeLogs', readResource, readScopeLogs);
const readLogsRequest = requestReader('ExportLogsServiceRequest', 'resourceLogs', readResourceLogs);
const readScopeSpans = groupReader('ScopeSpans', 'scope', 'spans', readScope, readSpan);
const readResourceSpans = groupReader('ResourceSpans', 'resource', 'scopeSpans', readResource, readScopeSpans);
const readTracesRequest = requestReader('ExportTraceServiceRequest', 'resourceSpans', readResourceSpans);

function decodeRoot(buf: Uint8Array, read: MessageReader): unknown {
  if (!(buf instanceof Uint8Array)) throw new ProtobufError('protobuf: body is not a byte array');
  return read(new Reader(buf), buf.length, 0);
}

/** An ExportLogsServiceRequest in protobuf to its OTLP JSON shape (feed it to decodeLogs). */
export function decodeLogsProtobuf(buf: Uint8Array): unknown {
  return decodeRoot(buf, readLogsRequest);
}

/** An ExportTraceServiceRequest in protobuf to its OTLP JSON shape (feed it to decodeSpans). */
export function decodeTracesProtobuf(buf: Uint8Array): unknown {
  return decodeRoot(buf, readTracesRequest);
}
