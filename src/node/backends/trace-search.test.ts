import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../shared/model.js';
import { isoToMicros, microsToIso, operationsOf, searchSpans, type TraceFilter } from './trace-search.js';

function span(trace: number, id: number, start: string, over: Partial<SpanRecord> = {}): SpanRecord {
  return {
    trace_id: String(trace).padStart(32, '0'),
    span_id: String(id).padStart(16, '0'),
    name: 'op',
    kind: 'SERVER',
    start_time: start,
    end_time: start,
    duration_ms: 10,
    status: { code: 'UNSET' },
    attributes: {},
    events: [],
    links: [],
    resource: { 'service.name': 'shop', env: 'prod' },
    scope: { name: 's' },
    ...over,
  };
}

const filter = (over: Partial<TraceFilter> = {}): TraceFilter => ({ service: 'shop', tags: {}, startMinUs: 0, startMaxUs: Number.MAX_SAFE_INTEGER, limit: 10, ...over });
const ids = (traces: SpanRecord[][]) => traces.map((t) => Number(t[0].trace_id));

describe('microsecond times', () => {
  it('truncates nanoseconds and writes six digits', () => {
    expect(isoToMicros('2025-01-01T00:00:00.123456789Z')).toBe(1735689600123456);
    expect(isoToMicros('2025-01-01T00:00:00Z')).toBe(1735689600000000);
    expect(microsToIso(1735689600123456)).toBe('2025-01-01T00:00:00.123456Z');
    expect(microsToIso(1735689600000001)).toBe('2025-01-01T00:00:00.000001Z');
  });
});

describe('searchSpans', () => {
  const spans = [
    span(1, 1, '2025-01-01T00:00:01.000000Z', { attributes: { 'http.status_code': 500 }, status: { code: 'ERROR', message: 'boom' } }),
    span(1, 2, '2025-01-01T00:00:05.000000Z', { kind: 'CLIENT', name: 'db', duration_ms: 2, resource: { 'service.name': 'db' } }),
    span(2, 3, '2025-01-01T00:00:03.000000Z', { attributes: { ok: true, ratio: 0.5 } }),
    span(3, 4, '2025-01-01T00:00:02.000000Z', { resource: { 'service.name': 'other' } }),
  ];

  it('orders traces by their latest matching span, and returns every span of each', () => {
    const got = searchSpans(spans, filter());
    expect(ids(got)).toStrictEqual([2, 1]); // trace 1's 00:05 span is another service's
    expect(got[1].map((s) => s.span_id)).toStrictEqual(['0000000000000001', '0000000000000002']);
  });

  it('matches attributes, resource attributes and the derived tags as text', () => {
    expect(ids(searchSpans(spans, filter({ tags: { 'http.status_code': '500' } })))).toStrictEqual([1]);
    expect(ids(searchSpans(spans, filter({ tags: { ok: 'true', ratio: '0.5' } })))).toStrictEqual([2]);
    expect(ids(searchSpans(spans, filter({ tags: { env: 'prod' } })))).toStrictEqual([2, 1]);
    expect(ids(searchSpans(spans, filter({ tags: { error: 'true', 'otel.status_code': 'ERROR', 'otel.status_description': 'boom' } })))).toStrictEqual([1]);
    expect(ids(searchSpans(spans, filter({ service: 'db', tags: { 'span.kind': 'client' } })))).toStrictEqual([1]);
    expect(ids(searchSpans(spans, filter({ tags: { 'span.kind': 'client' } })))).toStrictEqual([]);
  });

  it('takes both time and duration bounds as inclusive', () => {
    const at = isoToMicros('2025-01-01T00:00:03.000000Z');
    expect(ids(searchSpans(spans, filter({ startMinUs: at, startMaxUs: at })))).toStrictEqual([2]);
    expect(ids(searchSpans(spans, filter({ service: 'db', durationMinMs: 2, durationMaxMs: 2 })))).toStrictEqual([1]);
    expect(ids(searchSpans(spans, filter({ limit: 1 })))).toStrictEqual([2]);
  });

  it('lists operations with their kinds, sorted', () => {
    expect(operationsOf(spans, 'shop')).toStrictEqual([{ name: 'op', kind: 'SERVER' }]);
    expect(operationsOf(spans, 'db', 'SERVER')).toStrictEqual([]);
  });
});
