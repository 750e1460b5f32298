import { describe, expect, it } from 'vitest';
import type { MetricPoint } from '../../../shared/model.js';
import { expose, toOpenMetrics } from './exposition.js';
import { SeriesStore } from './series.js';

const browser = { 'service.name': 'web', 'service.instance.id': 'tab-1', 'browser.brand': 'Firefox' };
let n = 0;
function point(over: Partial<MetricPoint>): MetricPoint {
  return {
    point_id: `p${n++}`,
    name: 'clicks',
    type: 'sum',
    temporality: 'delta',
    monotonic: true,
    time: '2026-12-07T01:00:00.000Z',
    attributes: { page: '/cart' },
    resource: browser,
    scope: { name: 'web' },
    value: 1,
    ...over,
  };
}
const store = (maxSeries = 100, now = () => 0) => new SeriesStore({ maxSeries, staleAfterMs: 60_000, now });
const line = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));

describe('prometheus series', () => {
  it('accumulates delta sums into one cumulative counter, named with _total, labelled with job/instance', () => {
    const s = store();
    for (const value of [1, 2, 4]) expect(s.add(point({ value }))).toBeUndefined();
    const text = expose(s, false);
    expect(text).toContain('# TYPE clicks_total counter');
    expect(line(text, 'clicks_total{')).toBe('clicks_total{page="/cart",job="web",instance="tab-1"} 7');
  });

  it('adds a re-delivered delta point once (by point id), and ignores a cumulative point older than the value shown', () => {
    const s = store();
    const first = point({ value: 3, time: '2026-12-07T01:00:01.000Z' });
    const second = point({ value: 4, time: '2026-12-07T01:00:02.000Z' });
    for (const p of [first, second, first, second]) expect(s.add(p)).toBeUndefined();
    expect(line(expose(s, false), 'clicks_total{')).toBe('clicks_total{page="/cart",job="web",instance="tab-1"} 7');
    const c = store();
    c.add(point({ name: 'bytes', temporality: 'cumulative', value: 10, time: '2026-12-07T01:00:02.000Z' }));
    c.add(point({ name: 'bytes', temporality: 'cumulative', value: 8, time: '2026-12-07T01:00:01.000Z' }));
    expect(line(expose(c, false), 'bytes_total{')).toBe('bytes_total{page="/cart",job="web",instance="tab-1"} 10');
  });

  it('replaces a cumulative sum and a gauge with the latest point; a non-monotonic sum is a gauge', () => {
    const s = store();
    s.add(point({ temporality: 'cumulative', value: 10 }));
    s.add(point({ temporality: 'cumulative', value: 12 }));
    s.add(point({ name: 'queue.depth', type: 'gauge', temporality: undefined, monotonic: undefined, value: 5 }));
    s.add(point({ name: 'queue.depth', type: 'gauge', temporality: undefined, monotonic: undefined, value: 3 }));
    s.add(point({ name: 'inflight', monotonic: false, value: 2 }));
    s.add(point({ name: 'inflight', monotonic: false, value: -1 }));
    const text = expose(s, false);
    expect(line(text, 'clicks_total{')).toMatch(/ 12$/);
    expect(line(text, 'queue_depth{')).toMatch(/ 3$/);
    expect(text).toContain('# TYPE inflight gauge');
    expect(line(text, 'inflight{')).toMatch(/ 1$/);
  });

  it('exposes an int64 beyond 2^53 (a decimal string in the point) as the nearest double: the exposition is a float', () => {
    const s = store();
    s.add(point({ name: 'big', type: 'gauge', temporality: undefined, monotonic: undefined, value: '9007199254740993' }));
    s.add(point({ name: 'bytes', temporality: 'cumulative', value: '9223372036854775807' }));
    const text = expose(s, false);
    expect(Number(line(text, 'big{')?.split(' ').pop())).toBe(9007199254740992);
    expect(Number(line(text, 'bytes_total{')?.split(' ').pop())).toBe(2 ** 63);
  });

  it('adds delta histogram buckets, replaces cumulative ones, and writes cumulative le buckets with a unit suffix', () => {
    const s = store();
    const h = (over: Partial<MetricPoint>) => point({ name: 'http.server.request.duration', unit: 's', type: 'histogram', value: undefined, explicit_bounds: [0.1, 1], ...over });
    s.add(h({ bucket_counts: [1, 2, 0], count: 3, sum: 1.2 }));
    s.add(h({ bucket_counts: [0, 1, 1], count: 2, sum: 3.5 }));
    expect(s.add(h({ explicit_bounds: [0.5], bucket_counts: [1, 0], count: 1, sum: 0.2 }))).toMatch(/changed its bucket bounds/);
    const text = expose(s, false);
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
    const b = (le: string) => line(text, `http_server_request_duration_seconds_bucket{page="/cart",job="web",instance="tab-1",le="${le}"}`);
    expect([b('0.1'), b('1'), b('+Inf')].map((l) => Number(l?.split(' ').pop()))).toEqual([1, 4, 5]);
    expect(line(text, 'http_server_request_duration_seconds_count{')).toMatch(/ 5$/);
    expect(line(text, 'http_server_request_duration_seconds_sum{')).toMatch(/ 4\.7$/);
    s.add(h({ temporality: 'cumulative', bucket_counts: [9, 0, 0], count: 9, sum: 0.9 }));
    expect(line(expose(s, false), 'http_server_request_duration_seconds_count{')).toMatch(/ 9$/);
  });

  it('translates units as the compatibility spec says', () => {
    const s = store();
    s.add(point({ name: 'net.io', unit: 'By', value: 3 }));
    s.add(point({ name: 'requests', unit: '{request}', value: 1 }));
    s.add(point({ name: 'cpu.utilization', unit: '1', type: 'gauge', temporality: undefined, value: 0.5 }));
    s.add(point({ name: 'throughput', unit: 'By/s', type: 'gauge', temporality: undefined, value: 9 }));
    const text = expose(s, false);
    for (const name of ['net_io_bytes_total', 'requests_total', 'cpu_utilization_ratio', 'throughput_bytes_per_second']) expect(text).toContain(`\n${name}{`);
  });

  it('writes one target_info per job/instance with the other resource attributes', () => {
    const s = store();
    s.add(point({}));
    s.add(point({ resource: { 'service.name': 'api', 'host.name': 'h1' } }));
    const text = expose(s, false);
    expect(text.startsWith('# HELP target_info Target metadata\n# TYPE target_info gauge\n')).toBe(true);
    expect(text).toContain('target_info{job="web",instance="tab-1",browser_brand="Firefox"} 1');
    expect(text).toContain('target_info{job="api",host_name="h1"} 1');
    expect(text.match(/^# TYPE clicks_total/gm)).toHaveLength(1);
  });

  it('refuses a point of a new series beyond max_series, keeps updating the existing ones', () => {
    const s = store(2);
    expect(s.add(point({ attributes: { a: 1 } }))).toBeUndefined();
    expect(s.add(point({ attributes: { a: 2 } }))).toBeUndefined();
    expect(s.add(point({ attributes: { a: 3 } }))).toMatch(/series limit 2 reached/);
    expect(s.add(point({ attributes: { a: 1 } }))).toBeUndefined();
    expect(s.series.size).toBe(2);
  });

  it('forgets series silent for longer than stale_after; refuses unsupported types and a type clash', () => {
    let now = 0;
    const s = store(10, () => now);
    s.add(point({}));
    now = 30_000;
    s.add(point({ name: 'other' }));
    now = 70_000;
    expect(s.expire()).toBe(1);
    expect([...s.series.values()].map((x) => x.family)).toEqual(['other']);
    expect(s.add(point({ type: 'summary', quantiles: [] }))).toMatch(/summary points are not supported/);
    expect(s.add(point({ name: 'other', type: 'gauge' }))).toMatch(/already a counter/);
  });

  it('writes OpenMetrics: counter families without _total, # EOF at the end', () => {
    const s = store();
    s.add(point({ value: 2 }));
    const text = expose(s, true);
    expect(text).toContain('# TYPE clicks counter\n');
    expect(text).toContain('\nclicks_total{');
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(toOpenMetrics('# no registered metrics')).toBe('# EOF\n');
  });
});
