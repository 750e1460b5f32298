import { describe, it, expect } from 'vitest';
import type { LogRecord } from '../model.js';
import { decodeLogs, decodeSpans, encodeLogs, encodeLogsExact, encodeSpans, encodeSpansExact } from './index.js';
import { EVERY_KIND, logRecord, NOW_MS, realisticLogsRequest, realisticTraceRequest, spanRecord } from './fixtures/samples.js';

const limits = { nowMs: NOW_MS };

describe('model → OTLP JSON → model', () => {
  it('gives back exactly the same log records, with every AnyValue kind in body and attributes', () => {
    const records: LogRecord[] = [
      logRecord(),
      logRecord({ record_id: 'r2', body: EVERY_KIND, attributes: EVERY_KIND }),
      logRecord({ record_id: 'r3', body: null, severity_number: 10, severity_text: 'INFO2', event_name: 'user.login' }),
      logRecord({ record_id: 'r4', body: [1, 'a', [true]], timestamp: '2025-07-06T10:34:56.123456789Z' }),
      logRecord({
        record_id: 'r5',
        trace_id: '0af7651916cd43dd8448eb211c80319c',
        span_id: 'b7ad6b7169203331',
        trace_flags: 0,
        dropped_attributes_count: 7,
        body: 42,
      }),
      logRecord({ record_id: 'r6', resource: { 'service.name': 'other' }, scope: { name: 's', attributes: { a: 1 } } }),
    ];
    const wire = JSON.parse(JSON.stringify(encodeLogsExact(records)));
    const back = decodeLogs(wire, limits);
    expect(back.errors).toEqual([]);
    expect(back.records).toEqual(records);
  });

  it('gives back exactly the same spans, with events, links, parent, trace state, flags and status', () => {
    const spans = [
      spanRecord(),
      spanRecord({
        span_id: '00f067aa0ba902b7',
        parent_span_id: 'b7ad6b7169203331',
        trace_state: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
        flags: 0x301,
        kind: 'CLIENT',
        status: { code: 'ERROR', message: 'connection refused' },
        attributes: EVERY_KIND,
        events: [
          { name: 'exception', time: '2025-07-06T10:34:56.150000Z', attributes: { 'exception.type': 'Error' } },
          { name: 'retry', time: '2025-07-06T10:34:56.160000001Z', attributes: {}, dropped_attributes_count: 2 },
        ],
        links: [
          { trace_id: '5b8efff798038103d269b633813fc60c', span_id: 'eee19b7ec3c1b174', attributes: {} },
          {
            trace_id: '5b8efff798038103d269b633813fc60c',
            span_id: 'eee19b7ec3c1b175',
            trace_state: 'a=b',
            flags: 1,
            attributes: { 'link.reason': 'batch' },
            dropped_attributes_count: 1,
          },
        ],
        dropped_attributes_count: 3,
        dropped_events_count: 4,
        dropped_links_count: 5,
      }),
      ...['UNSPECIFIED', 'INTERNAL', 'PRODUCER', 'CONSUMER'].map((kind, i) =>
        spanRecord({ span_id: `00000000000000a${i}`, kind: kind as 'INTERNAL', status: { code: 'OK' } }),
      ),
    ];
    const back = decodeSpans(JSON.parse(JSON.stringify(encodeSpansExact(spans))), limits);
    expect(back.errors).toEqual([]);
    expect(back.records).toEqual(spans);
  });
});

describe('OTLP JSON → model → OTLP JSON', () => {
  it('gives back the same logs request: bytesValue, int64 beyond 2^53 and resource/scope schemaUrl included', () => {
    const request = realisticLogsRequest();
    const decoded = decodeLogs(request, limits);
    expect(decoded.errors).toEqual([]);
    expect(decoded.records.map((r) => r.record_id)).toEqual(['01JZ3C4V5EABCDEFGH000002', '01JZ3C4V5EABCDEFGH000003', 'job-run:42']);
    expect(decoded.records[0].body).toEqual({ msg: 'payment failed', codes: [402, 0.5, null], raw: { $bytes: 'AAECAwQ=' } });
    expect(decoded.records[0].attributes).toMatchObject({ 'order.id': { $int: '9007199254740993' }, offset: { $int: '-9007199254740993' } });
    expect(decoded.records[0].resource_schema_url).toBe('https://opentelemetry.io/schemas/1.26.0');
    expect(decoded.records[0].scope.schema_url).toBe('https://opentelemetry.io/schemas/1.30.0');
    expect(decoded.records[2].resource_schema_url).toBeUndefined();
    expect(JSON.parse(JSON.stringify(encodeLogsExact(decoded.records)))).toEqual(request);
  });

  it('gives back the same trace request: bytesValue, int64 and schemaUrl included', () => {
    const request = realisticTraceRequest();
    const decoded = decodeSpans(request, limits);
    expect(decoded.errors).toEqual([]);
    expect(decoded.records[0]).toMatchObject({
      kind: 'SERVER',
      parent_span_id: 'aaa19b7ec3c1b174',
      duration_ms: 250.0005,
      status: { code: 'ERROR', message: 'upstream timeout' },
      attributes: { 'http.response.status_code': 200, blob: { $bytes: 'AQ==' }, 'http.request.body.size': { $int: '-9223372036854775808' } },
      resource_schema_url: 'https://opentelemetry.io/schemas/1.26.0',
      scope: { schema_url: 'https://opentelemetry.io/schemas/1.30.0' },
    });
    expect(JSON.parse(JSON.stringify(encodeSpansExact(decoded.records)))).toEqual(request);
  });
});

describe('encoding', () => {
  it('groups records by serialized resource and by scope within it', () => {
    const a = { 'service.name': 'a' };
    const records = [
      logRecord({ resource: a }),
      logRecord({ resource: { 'service.name': 'b' } }),
      logRecord({ resource: { ...a } }), // another object, same content: same group
      logRecord({ resource: a, scope: { name: 'other' } }),
    ];
    const req = encodeLogsExact(records);
    expect(req.resourceLogs).toHaveLength(2);
    expect(req.resourceLogs?.[0].scopeLogs?.map((s) => [s.scope?.name, s.logRecords?.length])).toEqual([
      ['isotel', 2],
      ['other', 1],
    ]);
  });

  it('sends record_id as the log.record.uid attribute unless one is already there', () => {
    const [first, second] = encodeLogs([
      logRecord({ record_id: 'id-1' }),
      logRecord({ record_id: 'id-2', attributes: { 'log.record.uid': 'kept' } }),
    ]).resourceLogs?.[0].scopeLogs?.[0].logRecords ?? [];
    expect(first.attributes?.at(-1)).toEqual({ key: 'log.record.uid', value: { stringValue: 'id-1' } });
    expect(second.attributes).toEqual([{ key: 'log.record.uid', value: { stringValue: 'kept' } }]);
  });

  it('writes times as decimal nanosecond strings, ints as decimal strings and enums as integers', () => {
    const log = encodeLogs([logRecord({ timestamp: '2025-07-06T10:34:56.000000001Z', severity_number: 13 })]).resourceLogs?.[0]
      .scopeLogs?.[0].logRecords?.[0];
    expect(log).toMatchObject({ timeUnixNano: '1751798096000000001', severityNumber: 13 });
    expect(log?.attributes?.[2]).toEqual({ key: 'order.items', value: { intValue: '3' } });
    const span = encodeSpans([spanRecord({ status: { code: 'ERROR' } })]).resourceSpans?.[0].scopeSpans?.[0].spans?.[0];
    expect(span).toMatchObject({ kind: 2, status: { code: 2 }, startTimeUnixNano: '1751798096123456000' });
  });
});

describe('decoding', () => {
  const one = (record: Record<string, unknown>, l: object = limits) =>
    decodeLogs({ resourceLogs: [{ scopeLogs: [{ logRecords: [record] }] }] }, l);
  const T = '1751798096000000000';

  it('reads ints from decimal strings and numbers, and keeps int64 beyond 2^53 exact as a tagged int', () => {
    const r = one({
      timeUnixNano: T,
      attributes: [
        { key: 's', value: { intValue: '123' } },
        { key: 'n', value: { intValue: 123 } },
        { key: 'neg', value: { intValue: '-9007199254740991' } },
        { key: 'big', value: { intValue: '9223372036854775807' } },
        { key: 'min', value: { intValue: '-9223372036854775808' } },
        { key: 'past_safe', value: { intValue: '9007199254740993' } },
        { key: 'neg_past_safe', value: { intValue: '-9007199254740993' } },
        { key: 'd', value: { doubleValue: '2.5' } },
        { key: 'nan', value: { doubleValue: 'NaN' } },
        { key: 'inf', value: { doubleValue: '-Infinity' } },
        { key: 'bytes', value: { bytesValue: 'AQID' } },
        { key: 'empty', value: {} },
        { key: 'nothing' },
      ],
    }).records[0];
    expect(r.attributes).toEqual({
      s: 123,
      n: 123,
      neg: -9007199254740991,
      big: { $int: '9223372036854775807' },
      min: { $int: '-9223372036854775808' },
      past_safe: { $int: '9007199254740993' },
      neg_past_safe: { $int: '-9007199254740993' },
      d: 2.5,
      nan: 'NaN',
      inf: '-Infinity',
      bytes: { $bytes: 'AQID' },
      empty: null,
      nothing: null,
    });
  });

  it('normalises ids: uppercase hex to lowercase, base64 to hex, empty and all-zero to absent', () => {
    const upper = one({ timeUnixNano: T, traceId: '0AF7651916CD43DD8448EB211C80319C', spanId: 'B7AD6B7169203331' }).records[0];
    expect([upper.trace_id, upper.span_id, upper.trace_flags]).toEqual(['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 0]);
    const b64 = one({ timeUnixNano: T, traceId: 'CvdlGRbNQ92ESOshHIAxnA==', spanId: 't61rcWkgMzE=' }).records[0];
    expect([b64.trace_id, b64.span_id]).toEqual(['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331']);
    const none = one({ timeUnixNano: T, traceId: '', spanId: '0000000000000000' }).records[0];
    expect([none.trace_id, none.span_id, none.trace_flags]).toEqual([undefined, undefined, undefined]);
  });

  it('takes the observed time when the time is unset, and the receive time when both are', () => {
    expect(one({ observedTimeUnixNano: T }).records[0].timestamp).toBe('2025-07-06T10:34:56.000000Z');
    const both = one({ timeUnixNano: '0' }).records[0];
    expect([both.timestamp, both.observed_timestamp]).toEqual(['2025-07-06T12:00:00.000000Z', '2025-07-06T12:00:00.000000Z']);
  });

  it('derives a missing severity text from the number, with the 2..4 suffixes', () => {
    const texts = [1, 4, 10, 13, 18, 24, 0].map((n) => one({ timeUnixNano: T, severityNumber: n }).records[0].severity_text);
    expect(texts).toEqual(['TRACE', 'TRACE4', 'INFO2', 'WARN', 'ERROR2', 'FATAL4', 'UNSPECIFIED']);
    expect(one({ timeUnixNano: T, severityNumber: 'SEVERITY_NUMBER_WARN3' }).records[0].severity_number).toBe(15);
  });

  it('leaves record_id empty for the ingest to derive when log.record.uid is absent or not a valid id', () => {
    const bad = one({ timeUnixNano: T, attributes: [{ key: 'log.record.uid', value: { stringValue: 'has spaces' } }] });
    expect(bad.records[0].record_id).toBe('');
    expect(bad.records[0].attributes).toEqual({ 'log.record.uid': 'has spaces' });
  });

  it('truncates long strings and bodies, and drops attributes beyond the limit, counting both', () => {
    const attributes = Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: { stringValue: 'x'.repeat(20) } }));
    const r = one(
      { timeUnixNano: T, body: { stringValue: 'b'.repeat(50) }, attributes, droppedAttributesCount: 1 },
      { ...limits, maxAttributes: 3, maxAttributeValueLength: 10, maxBodyLength: 40 },
    );
    const rec = r.records[0];
    expect(Object.keys(rec.attributes)).toEqual(['k0', 'k1', 'k2']);
    expect(rec.attributes.k0).toBe(`${'x'.repeat(10)}…[truncated 10 chars]`);
    expect(rec.body).toBe(`${'b'.repeat(40)}…[truncated 10 chars]`);
    expect(rec.dropped_attributes_count).toBe(3);
    expect([r.truncated, r.droppedAttributes]).toEqual([4, 2]);
  });

  it('accepts an empty request and ignores unknown fields', () => {
    expect(decodeLogs({}, limits)).toMatchObject({ records: [], rejected: 0, errors: [] });
    const r = one({ timeUnixNano: T, futureField: { x: 1 }, body: { stringValue: 'a', futureKind: 1 } });
    expect(r.records[0].body).toBe('a');
  });
});

describe('decoding performance', () => {
  it('decodes 500 realistic log records (the median time reported; the goal lives in the bench)', () => {
    const records = Array.from({ length: 500 }, (_, i) =>
      logRecord({
        record_id: `id-${i}`,
        trace_id: '0af7651916cd43dd8448eb211c80319c',
        span_id: 'b7ad6b7169203331',
        trace_flags: 1,
        attributes: {
          'http.request.method': 'GET',
          'http.route': '/orders/:id',
          'http.response.status_code': 200,
          'url.path': `/orders/${i}`,
          'client.address': '10.0.0.1',
          'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)',
          'session.id': 'c2Vzc2lvbi0xMjM0',
          'cache.hit': false,
          'duration_ms': 12.5,
          'user': { id: `u${i}`, roles: ['buyer', 'beta'] },
        },
        body: `request ${i} handled`,
      }),
    );
    const wire = JSON.parse(JSON.stringify(encodeLogsExact(records)));
    for (let i = 0; i < 100; i++) decodeLogs(wire, limits); // warm up the JIT
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      decodeLogs(wire, limits);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[7];
    // Reported, not asserted: speed goals live in `npm run bench` (the ingest tables), not in timed tests that
    // a loaded machine fails (7-11 ms here at a load average of 20; 1.7 ms idle).
    console.info(`decodeLogs, 500 records of 10 attributes: median ${median.toFixed(2)} ms`);
    expect(median).toBeGreaterThan(0);
  });
});
