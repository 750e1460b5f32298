import { describe, expect, it } from 'vitest';
import type { MetricPoint } from '../../shared/model.js';
import { bucketSeries, canonical, selectMetricPoints, type MetricFilter } from './metric-search.js';

const T0 = Date.UTC(2025, 0, 1, 12);
let n = 0;
function point(secs: number, over: Partial<MetricPoint>): MetricPoint {
  return {
    point_id: `p${String(n++).padStart(4, '0')}`,
    name: 'm',
    type: 'sum',
    temporality: 'cumulative',
    time: new Date(T0 + secs * 1000).toISOString(),
    attributes: {},
    resource: { 'service.name': 'shop', host: 'h1' },
    scope: { name: 'lib' },
    ...over,
  };
}
const filter = (over: Partial<MetricFilter> = {}): MetricFilter => ({ name: 'm', attributes: {}, startUs: T0 * 1000, endUs: (T0 + 3_600_000) * 1000, stepMs: 60_000, limit: 100, ...over });

describe('metric query: grouping and bucketing', () => {
  it('keeps the last value per bucket of a cumulative sum and a gauge, by time', () => {
    const pts = [point(70, { value: 3 }), point(10, { value: 1 }), point(50, { value: 2 }), point(130, { value: 4 })];
    const [s] = bucketSeries(pts, filter()).data;
    expect(s.points).toStrictEqual([
      { time: '2025-01-01T12:00:00.000Z', value: 2 },
      { time: '2025-01-01T12:01:00.000Z', value: 3 },
      { time: '2025-01-01T12:02:00.000Z', value: 4 },
    ]);
    const gauge = bucketSeries([point(1, { type: 'gauge', temporality: undefined, value: 9 }), point(2, { type: 'gauge', temporality: undefined, value: 7 })], filter()).data[0];
    expect(gauge.points).toStrictEqual([{ time: '2025-01-01T12:00:00.000Z', value: 7 }]);
    expect(gauge).not.toHaveProperty('temporality');
  });

  it('adds delta sums per bucket, and delta histograms with the same bounds', () => {
    const sums = [point(1, { temporality: 'delta', value: 2 }), point(30, { temporality: 'delta', value: 5 }), point(61, { temporality: 'delta', value: 1 })];
    expect(bucketSeries(sums, filter()).data[0].points.map((p) => p.value)).toStrictEqual([7, 1]);
    const h = (secs: number, counts: number[], bounds = [10, 100]) =>
      point(secs, { type: 'histogram', temporality: 'delta', count: counts.reduce((a, b) => a + b, 0), sum: counts[0] * 5, min: secs, max: secs * 2, bucket_counts: counts, explicit_bounds: bounds });
    const [s] = bucketSeries([h(1, [1, 2, 0]), h(2, [0, 1, 1]), h(70, [1, 0, 0]), h(80, [3, 0, 0], [5])], filter()).data;
    expect(s.points).toStrictEqual([
      { time: '2025-01-01T12:00:00.000Z', count: 5, sum: 5, min: 1, max: 4, bucket_counts: [1, 3, 1], explicit_bounds: [10, 100] },
      // the bounds change in the bucket: its last point
      { time: '2025-01-01T12:01:00.000Z', count: 3, sum: 15, min: 80, max: 160, bucket_counts: [3, 0, 0], explicit_bounds: [5] },
    ]);
  });

  it('adds delta sums exactly past 2^53 (an int64 beyond it is its decimal string), doubles as doubles', () => {
    const sums = [
      point(1, { temporality: 'delta', value: '9007199254740993' }),
      point(2, { temporality: 'delta', value: 2 }),
      point(61, { temporality: 'delta', value: 9007199254740991 }),
      point(62, { temporality: 'delta', value: 2 }),
      point(121, { temporality: 'delta', value: '-9223372036854775808' }),
      point(122, { temporality: 'delta', value: '9223372036854775807' }),
      point(181, { temporality: 'delta', value: '9007199254740993' }),
      point(182, { temporality: 'delta', value: 0.5 }),
    ];
    expect(bucketSeries(sums, filter()).data[0].points.map((p) => p.value)).toStrictEqual(['9007199254740995', '9007199254740993', -1, 9007199254740992.5]);
    const big = [point(1, { type: 'gauge', temporality: undefined, value: '-9223372036854775808' })];
    expect(bucketSeries(big, filter()).data[0].points).toStrictEqual([{ time: '2025-01-01T12:00:00.000Z', value: '-9223372036854775808' }]);
  });

  it('groups by name, type, service and attributes (key order aside), sorted, `limit` series', () => {
    const pts = [
      point(1, { attributes: { b: 1, a: 'x' }, value: 1 }),
      point(2, { attributes: { a: 'x', b: 1 }, value: 2 }),
      point(3, { attributes: { a: 'w' }, value: 3 }),
      point(4, { attributes: { a: 'w' }, resource: { 'service.name': 'cart' }, value: 4 }),
      point(5, { attributes: { a: 'w' }, resource: {}, value: 5 }),
    ];
    const all = bucketSeries(pts, filter());
    expect(all.data.map((s) => [s.resource, s.attributes, s.points.map((p) => p.value)])).toStrictEqual([
      [{}, { a: 'w' }, [5]],
      [{ 'service.name': 'cart' }, { a: 'w' }, [4]],
      [{ 'service.name': 'shop' }, { a: 'w' }, [3]],
      [{ 'service.name': 'shop' }, { a: 'x', b: 1 }, [2]],
    ]);
    expect(all.truncated).toBe(false);
    const two = bucketSeries(pts, filter({ limit: 2 }));
    expect([two.data.length, two.truncated]).toStrictEqual([2, true]);
  });

  it('selects by name, time (inclusive, whole microseconds) and scalar attribute text, bounded', () => {
    const pts = [
      point(0, { attributes: { code: 200 } }),
      point(5, { attributes: { code: '200' } }),
      point(6, { attributes: { code: 404 } }),
      point(7, { name: 'other', attributes: { code: 200 } }),
      point(3600, { attributes: { code: 200 }, time: '2025-01-01T13:00:00.000000999Z' }),
      point(3601, { attributes: { code: 200 } }),
    ];
    const got = selectMetricPoints(pts, filter({ attributes: { code: '200' } }));
    expect(got.points.map((p) => p.attributes.code)).toStrictEqual([200, '200', 200]);
    expect(got.more).toBe(false);
    expect(selectMetricPoints(pts, filter(), 2)).toMatchObject({ more: true, points: [{ time: pts[0].time }, { time: pts[1].time }] });
  });

  it('canonical JSON sorts keys at every depth', () => {
    expect(canonical({ b: [{ y: 1, x: 2 }], a: null, c: undefined })).toBe('{"a":null,"b":[{"x":2,"y":1}]}');
  });
});
