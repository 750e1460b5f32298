import { describe, it, expect } from 'vitest';
import { JsonLogsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { LogRecord, SpanRecord } from '../model.js';
import { decodeLogs, decodeLogsProtobuf, decodeSpans, decodeTracesProtobuf } from './index.js';
import { NOW_MS } from './fixtures/samples.js';
import { PARENT_ID, sdkLogRecords, sdkSpans, TRACE_ID } from './fixtures/sdk.js';

// What the real OpenTelemetry JS SDK sends: @opentelemetry/otlp-transformer's JSON serializer (hex ids,
// decimal-string times, intValue as a JSON number, bytes as base64) and its protobuf serializer.
const limits = { nowMs: NOW_MS };

const resource = { 'service.name': 'shop', 'service.version': '1.0.0', 'host.cpu.count': 3 };

describe('interop with the OpenTelemetry JS SDK (otlp-transformer)', () => {
  it('decodes its JSON logs to the expected records', async () => {
    const bytes = JsonLogsSerializer.serializeRequest(await sdkLogRecords());
    const result = decodeLogs(JSON.parse(new TextDecoder().decode(bytes)), limits);
    expect(result.errors).toEqual([]);
    const checkout = { name: 'checkout', version: '1.2.3' };
    const expected: LogRecord[] = [
      {
        record_id: '',
        timestamp: '2025-07-06T10:34:56.123456789Z',
        observed_timestamp: '2025-07-06T10:34:56.200000Z',
        severity_text: 'INFO2',
        severity_number: 10,
        body: { msg: 'order placed', items: [1, 2.5, 'x', true, { $bytes: 'AQID' }] },
        attributes: { 'order.total': 99.5, 'order.count': 3, gift: false, tags: ['a', 'b'], raw: { $bytes: '/w==' } },
        resource,
        scope: checkout,
        trace_id: TRACE_ID,
        span_id: PARENT_ID,
        trace_flags: 1,
        event_name: 'order.placed',
      },
      {
        record_id: 'sdk-uid-1',
        timestamp: '2025-07-06T10:34:57.000000Z',
        observed_timestamp: '2025-07-06T10:34:57.000001Z',
        severity_text: 'warning',
        severity_number: 13,
        body: 'stock low',
        attributes: {},
        resource,
        scope: checkout,
      },
      {
        record_id: '',
        timestamp: '2025-07-06T10:34:58.000000005Z',
        observed_timestamp: '2025-07-06T10:34:58.000000005Z',
        severity_text: 'UNSPECIFIED',
        severity_number: 0,
        body: null,
        attributes: {},
        resource,
        scope: { name: 'payments' },
      },
    ];
    expect(result.records).toEqual(expected);
  });

  it('decodes its protobuf logs to the same records as its JSON', async () => {
    const records = await sdkLogRecords();
    const fromJson = decodeLogs(JSON.parse(new TextDecoder().decode(JsonLogsSerializer.serializeRequest(records))), limits);
    const proto = ProtobufLogsSerializer.serializeRequest(records);
    expect(proto).toBeInstanceOf(Uint8Array);
    const fromProto = decodeLogs(decodeLogsProtobuf(proto as Uint8Array), limits);
    expect(fromProto.errors).toEqual([]);
    expect(fromProto.records).toEqual(fromJson.records);
  });

  it('decodes its JSON spans to the expected records', async () => {
    const { spans, server, internal } = await sdkSpans();
    const result = decodeSpans(JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans))), limits);
    expect(result.errors).toEqual([]);
    const scope = { name: 'http', version: '0.1.0' };
    const expected: SpanRecord[] = [
      {
        trace_id: TRACE_ID,
        span_id: server.spanContext().spanId,
        parent_span_id: PARENT_ID,
        trace_state: 'vendor=abc',
        // W3C sampled, plus the OTLP bits "parent is-remote known" (0x100) and "parent is remote" (0x200).
        flags: 0x301,
        name: 'GET /cart',
        kind: 'SERVER',
        start_time: '2025-07-06T10:34:56.000000Z',
        end_time: '2025-07-06T10:34:56.250000500Z',
        duration_ms: 250.0005,
        status: { code: 'ERROR', message: 'upstream timeout' },
        attributes: { 'http.response.status_code': 200, 'http.route': '/cart', sizes: [1, 2] },
        events: [{ name: 'cache.miss', time: '2025-07-06T10:34:56.100000Z', attributes: { 'cache.key': 'cart:9' } }],
        links: [{ trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), attributes: { why: 'batch' }, flags: 0x101 }],
        resource,
        scope,
      },
      {
        trace_id: internal.spanContext().traceId,
        span_id: internal.spanContext().spanId,
        flags: 0x101,
        name: 'compute',
        kind: 'INTERNAL',
        start_time: '2025-07-06T10:34:57.000000Z',
        end_time: '2025-07-06T10:34:57.000001Z',
        duration_ms: 0.001,
        status: { code: 'UNSET' },
        attributes: {},
        events: [],
        links: [],
        resource,
        scope,
      },
    ];
    expect(result.records).toEqual(expected);
  });

  it('decodes its protobuf spans to the same records as its JSON', async () => {
    const { spans } = await sdkSpans();
    const fromJson = decodeSpans(JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans))), limits);
    const proto = ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array;
    const fromProto = decodeSpans(decodeTracesProtobuf(proto), limits);
    expect(fromProto.errors).toEqual([]);
    expect(fromProto.records).toEqual(fromJson.records);
  });
});
