import type { Attributes, LogRecord, SpanRecord } from '../../../shared/model.js';

/**
 * Records for the backends' unit and integration tests: every kind of AnyValue an attribute or a body can
 * hold (tagged bytes and big ints included), and schema URLs. Timestamps are distinct per index so reads
 * can be compared in order.
 */
export function richAttributes(i: number): Attributes {
  return {
    'log.record.uid': `uid-${i}`,
    'str.unicode': `héllo wörld ✓ 日本語 🚀 #${i}`,
    'str.quotes': 'she said "hi" and \'bye\' \\ back\\slash',
    'str.newlines': 'line one\nline two\r\n\ttabbed',
    'str.empty': '',
    int: i,
    negative: -42,
    big: 9007199254740991,
    double: i + 0.25,
    tiny: 1e-7,
    bool_true: true,
    bool_false: false,
    nothing: null,
    list: [1, 'two', 3.5, false, null],
    nested_list: [[1, 2], [], [['deep']]],
    map: { a: 1, b: { c: 'd', e: [{ f: true }] } },
    empty_map: {},
    empty_list: [],
    'http.request.method': 'GET',
    // Tagged values (tagged-value.ts): bytes, ints beyond 2^53, a map that looks like a tag.
    bytes: { $bytes: 'AAECAwT/' },
    int_past_safe: { $int: String(9007199254740993n + BigInt(i)) },
    int_min: { $int: '-9223372036854775808' },
    map_like_a_tag: { $map: { $int: 'not an int' } },
  };
}

const BODIES = [
  (i: number) => `message ${i} with "quotes"\nand a newline`,
  (i: number) => ({ event: 'checkout', n: i, items: [{ sku: 'a', qty: 2 }], ok: true, none: null }),
  (i: number) => i * 1.5,
  () => true,
  () => null,
  (i: number) => ['a', i, { x: [] }],
  () => ({}),
  () => ({ $bytes: '3q2+7w==' }),
  (i: number) => ({ $int: String(-9007199254740993n - BigInt(i)) }),
];

const SCHEMA_URLS = { resource_schema_url: 'https://opentelemetry.io/schemas/1.26.0' };
const SCOPE_SCHEMA_URL = 'https://opentelemetry.io/schemas/1.30.0';

export function makeLog(i: number, traceId: string, baseMs = Date.UTC(2025, 6, 6, 10, 0, 0)): LogRecord {
  const ts = new Date(baseMs + i).toISOString().replace('Z', `${String(i % 1000).padStart(3, '0')}Z`);
  return {
    record_id: `rec-${traceId.slice(0, 8)}-${String(i).padStart(5, '0')}`,
    timestamp: ts,
    observed_timestamp: ts,
    severity_text: i % 2 ? 'INFO' : 'ERROR',
    severity_number: i % 2 ? 9 : 17,
    body: BODIES[i % BODIES.length](i),
    trace_id: traceId,
    span_id: (i + 1).toString(16).padStart(16, '0'),
    trace_flags: 1,
    ...(i % 3 === 0 ? { event_name: 'browser.click' } : {}),
    attributes: richAttributes(i),
    resource: { 'service.name': 'checkout', 'service.version': '1.2.3', 'deployment.environment.name': 'test', 'telemetry.sdk.language': 'nodejs' },
    scope: i % 2 ? { name: 'isotel', version: '0.1.0', schema_url: SCOPE_SCHEMA_URL } : { name: 'isotel', version: '0.1.0', attributes: { 'scope.attr': [1, 2] } },
    ...(i % 5 === 0 ? { dropped_attributes_count: 3 } : {}),
    ...(i % 4 === 1 ? SCHEMA_URLS : {}),
  };
}

export function makeSpan(i: number, traceId: string, baseMs = Date.UTC(2025, 6, 6, 10, 0, 0)): SpanRecord {
  const start = new Date(baseMs + i * 10).toISOString().replace('Z', '250Z');
  const end = new Date(baseMs + i * 10 + 7).toISOString().replace('Z', '500Z');
  return {
    trace_id: traceId,
    span_id: (0x1000 + i).toString(16).padStart(16, '0'),
    ...(i > 0 ? { parent_span_id: (0x1000).toString(16).padStart(16, '0') } : {}),
    ...(i % 4 === 0 ? { trace_state: 'vendor=value,other=x' } : {}),
    flags: 1,
    name: `GET /price/${i}`,
    kind: i === 0 ? 'SERVER' : 'INTERNAL',
    start_time: start,
    end_time: end,
    duration_ms: 7.25,
    status: i % 3 === 0 ? { code: 'ERROR', message: 'boom "quoted"\nline' } : { code: 'UNSET' },
    attributes: richAttributes(i),
    events: [{ name: 'exception', time: end, attributes: { 'exception.message': 'x', nested: { a: [1, { b: null }] } } }],
    links: i % 2 ? [{ trace_id: traceId, span_id: '00000000000000aa', attributes: { l: 1.5 }, flags: 1 }] : [],
    resource: { 'service.name': 'checkout', 'service.version': '1.2.3' },
    scope: i % 3 ? { name: 'isotel', version: '0.1.0' } : { name: 'isotel', version: '0.1.0', schema_url: SCOPE_SCHEMA_URL },
    ...(i % 5 === 0 ? { dropped_attributes_count: 1, dropped_events_count: 2, dropped_links_count: 0 } : {}),
    ...(i % 2 ? SCHEMA_URLS : {}),
  };
}
