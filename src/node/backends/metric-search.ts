import { addMetricValues, type AnyValue, type Attributes, type MetricPoint } from '../../shared/model.js';
import { isoToNanos } from '../../shared/time.js';

/**
 * Metric query, for GET /v1/metrics/query (src/collector-endpoint/metrics-query-*.ts). Every backend reads the
 * matching points (findMetricPoints) and the same code here groups and buckets them, so all answer alike:
 * - a point matches when its `name` is the filter's, its `time` (whole microseconds, as the log search) is within
 *   [startUs, endUs], and each attribute `key=value` is a point attribute whose scalar value reads as `value`;
 * - a series is one (name, type, temporality, service.name, attributes); series come sorted by name, service,
 *   then attributes (canonical JSON, keys sorted), `limit` of them (`truncated` when there were more);
 * - a point falls in the bucket `floor(time / step) * step` (epoch aligned, the bucket's start is the point's time
 *   in the answer). Per bucket: the sum of the values for a delta sum, the bucket-wise sum of counts for a delta
 *   explicit histogram with the same bounds (count, sum added, min/max kept); the last point (by exact time,
 *   then point id) for everything else: gauges, cumulative sums and histograms, exponential histograms, summaries
 *   (a delta exponential histogram or a delta histogram whose bounds change in the bucket: its last point);
 * - backends read at most MAX_SCAN_POINTS points (`more` when there were more: the route refuses the query).
 */
export interface MetricFilter {
  name: string;
  attributes: Record<string, string>;
  /** Microseconds since the epoch, inclusive. */
  startUs: number;
  endUs: number;
  stepMs: number;
  /** Series. */
  limit: number;
}

/** The most points a backend reads for one query. */
export const MAX_SCAN_POINTS = 50_000;

export interface MetricPoints {
  points: MetricPoint[];
  /** True when more than MAX_SCAN_POINTS points matched (`points` then holds MAX_SCAN_POINTS of them). */
  more: boolean;
}

const POINT_FIELDS = ['value', 'count', 'sum', 'min', 'max', 'bucket_counts', 'explicit_bounds', 'scale', 'zero_count', 'positive', 'negative', 'quantiles'] as const;

/** A bucket of a series: its start, and the point's values (absent fields stay absent). */
export type SeriesPoint = { time: string } & Pick<MetricPoint, (typeof POINT_FIELDS)[number]>;

export interface MetricSeries {
  name: string;
  type: MetricPoint['type'];
  temporality?: MetricPoint['temporality'];
  unit?: string;
  attributes: Attributes;
  resource: Attributes;
  points: SeriesPoint[];
}

export interface MetricAnswer {
  data: MetricSeries[];
  truncated: boolean;
}

/** As trace-search.ts's scalarText. */
const scalarText = (v: AnyValue | undefined): string | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

export function metricMatches(p: MetricPoint, f: MetricFilter): boolean {
  if (p.name !== f.name) return false;
  const us = timeUs(p.time);
  if (!(us >= f.startUs && us <= f.endUs)) return false;
  return Object.entries(f.attributes).every(([k, v]) => scalarText(p.attributes[k]) === v);
}

/** The JSONL backend's bounded scan: the matching points of `points`, oldest first, at most MAX_SCAN_POINTS. */
export function selectMetricPoints(points: Iterable<MetricPoint>, f: MetricFilter, max = MAX_SCAN_POINTS): MetricPoints {
  const out: MetricPoint[] = [];
  for (const p of points) if (metricMatches(p, f)) out.push(p);
  out.sort(byTime);
  return { points: out.slice(0, max), more: out.length > max };
}

function timeNs(iso: string): bigint {
  return isoToNanos(iso) ?? -1n;
}

function timeUs(iso: string): number {
  const n = isoToNanos(iso);
  return n === undefined ? Number.NaN : Number(n / 1000n);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function byTime(a: MetricPoint, b: MetricPoint): number {
  const d = timeNs(a.time) - timeNs(b.time);
  return d < 0n ? -1 : d > 0n ? 1 : cmp(a.point_id, b.point_id);
}

/** JSON with object keys sorted, recursively: the same text for the same attributes from any backend. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function serviceOf(p: MetricPoint): string | undefined {
  const s = p.resource['service.name'];
  return typeof s === 'string' ? s : undefined;
}

/** Groups matching points into series and buckets them by the step (semantics above). */
export function bucketSeries(points: readonly MetricPoint[], f: MetricFilter): MetricAnswer {
  const groups = new Map<string, { sort: string[]; points: MetricPoint[] }>();
  for (const p of points) {
    const attrs = canonical(p.attributes);
    const service = serviceOf(p) ?? '';
    const key = [p.name, service, attrs, p.type, p.temporality ?? ''].join('\u0000');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { sort: [p.name, service, attrs, p.type, p.temporality ?? ''], points: [] }));
    g.points.push(p);
  }
  const sorted = [...groups.values()].sort((a, b) => a.sort.reduce((d, s, i) => d || cmp(s, b.sort[i]), 0));
  const data = sorted.slice(0, f.limit).map((g) => toSeries(g.points.sort(byTime), f.stepMs));
  return { data, truncated: sorted.length > f.limit };
}

function toSeries(points: MetricPoint[], stepMs: number): MetricSeries {
  const first = points[0];
  const service = serviceOf(first);
  const series: MetricSeries = {
    name: first.name,
    type: first.type,
    attributes: JSON.parse(canonical(first.attributes)) as Attributes,
    resource: service === undefined ? {} : { 'service.name': service },
    points: [],
  };
  if (first.temporality !== undefined) series.temporality = first.temporality;
  const unit = points.find((p) => p.unit)?.unit;
  if (unit) series.unit = unit;
  const stepUs = stepMs * 1000;
  let last = Number.NaN;
  for (const p of points) {
    const start = Math.floor(timeUs(p.time) / stepUs) * stepUs;
    const n = series.points.length;
    if (start === last) series.points[n - 1] = combine(series.points[n - 1], p);
    else series.points.push(valuesOf(p, new Date(start / 1000).toISOString()));
    last = start;
  }
  return series;
}

/** A point's values in the answer (absent fields stay absent). */
function valuesOf(p: MetricPoint, time: string): SeriesPoint {
  const out: SeriesPoint = { time };
  for (const k of POINT_FIELDS) if (p[k] !== undefined && p[k] !== null) (out as unknown as Record<string, unknown>)[k] = p[k];
  return out;
}

/** The bucket's values with one more (later) point: added for deltas (see above), otherwise the later point. */
function combine(acc: SeriesPoint, p: MetricPoint): SeriesPoint {
  const next = valuesOf(p, acc.time);
  if (p.temporality !== 'delta') return next;
  if (p.type === 'sum') return { ...next, value: addMetricValues(acc.value ?? 0, p.value ?? 0) };
  if (p.type !== 'histogram' || canonical(acc.explicit_bounds) !== canonical(p.explicit_bounds)) return next;
  const counts = (acc.bucket_counts ?? []).map((c, i) => c + (p.bucket_counts?.[i] ?? 0));
  const merged: SeriesPoint = { ...next, count: (acc.count ?? 0) + (p.count ?? 0), bucket_counts: counts };
  if (acc.sum !== undefined || p.sum !== undefined) merged.sum = (acc.sum ?? 0) + (p.sum ?? 0);
  const pick = (f: (...v: number[]) => number, a?: number, b?: number) => (a === undefined ? b : b === undefined ? a : f(a, b));
  const min = pick(Math.min, acc.min, p.min);
  const max = pick(Math.max, acc.max, p.max);
  if (min !== undefined) merged.min = min;
  if (max !== undefined) merged.max = max;
  return merged;
}
