/**
 * One OTLP JSON Metric to metric points (one per data point), every field checked. A metric-level fault (an
 * invalid instrument name, no data or two kinds of data, an unspecified temporality) rejects each of its points;
 * a point-level fault (NaN/±Infinity, a negative value on a monotonic sum, bucket counts that do not match the
 * bounds, a count that is not the buckets' sum) rejects that point alone, with its path and reason.
 * `point_id` is left empty: the ingest derives it (derive-id.ts, node:crypto).
 */
import { metricNumber, type MetricPoint, type MetricType, type Temporality } from '../model.js';
import { decodeKeyValueList } from './any-value.js';
import { isObject, isoFromNanos, readEnum, readString, readTime, readUint32 } from './fields.js';
import { invalidText } from './invalid-text.js';
import { fail, INVALID, within, type DecodeContext, type Invalid, type RecordGroup } from './limits.js';
import { readBounds, readBuckets, readCount, readExemplars, readFinite, readInt32, readList, readNumberValue, total } from './metric-fields.js';

const KINDS: ReadonlyArray<readonly [key: string, type: MetricType]> = [
  ['gauge', 'gauge'],
  ['sum', 'sum'],
  ['histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram'],
  ['summary', 'summary'],
];
const TEMPORALITIES = ['UNSPECIFIED', 'DELTA', 'CUMULATIVE'] as const;

/** The instrument name syntax of the OpenTelemetry metrics API. */
export const INSTRUMENT_NAME = /^[A-Za-z][A-Za-z0-9_.\-/]{0,254}$/;

/** Where decodeMetric puts each point: kept, or refused (`n` points at once for a metric-level fault). */
export interface PointSink {
  ok(point: MetricPoint): void;
  bad(message: string, n: number): void;
}

interface Head {
  name: string;
  description?: string;
  unit?: string;
  type: MetricType;
  key: string;
  data: Record<string, unknown>;
  temporality?: Temporality;
  monotonic?: boolean;
}

/** How many data points a Metric holds (what a fault above them rejects). */
export function countPoints(metric: unknown): number {
  if (!isObject(metric)) return 1;
  let n = 0;
  for (const [key] of KINDS) {
    const d = metric[key];
    if (isObject(d) && Array.isArray(d.dataPoints)) n += d.dataPoints.length;
  }
  return Math.max(1, n);
}

function readKind(ctx: DecodeContext, raw: Record<string, unknown>): (typeof KINDS)[number] | Invalid {
  const present = KINDS.filter(([key]) => raw[key] !== undefined && raw[key] !== null);
  if (present.length === 0) return fail(ctx, '', `no data (one of ${KINDS.map(([k]) => k).join(', ')})`);
  if (present.length > 1) return fail(ctx, '', `more than one kind of data (${present.map(([k]) => k).join(', ')})`);
  if (!isObject(raw[present[0][0]])) return fail(ctx, `.${present[0][0]}`, 'not an object');
  return present[0];
}

function readHead(ctx: DecodeContext, raw: Record<string, unknown>): Head | Invalid {
  const name = readString(ctx, raw.name, 255);
  if (name === INVALID) return within(ctx, '.name');
  if (!name) return fail(ctx, '.name', 'missing');
  if (!INSTRUMENT_NAME.test(name)) return fail(ctx, '.name', `invalid instrument name ${JSON.stringify(name)} (a letter, then up to 254 of A-Z a-z 0-9 _ . - /)`);
  const description = readString(ctx, raw.description, ctx.maxValueLength);
  if (description === INVALID) return within(ctx, '.description');
  const unit = readString(ctx, raw.unit, 63);
  if (unit === INVALID) return within(ctx, '.unit');
  const kind = readKind(ctx, raw);
  if (kind === INVALID) return kind;
  const [key, type] = kind;
  const data = raw[key] as Record<string, unknown>;
  const head: Head = { name, type, key, data };
  if (description) head.description = description;
  if (unit) head.unit = unit;
  if (type === 'sum' || type === 'histogram' || type === 'exponential_histogram') {
    const t = readEnum(ctx, data.aggregationTemporality, TEMPORALITIES, 'AGGREGATION_TEMPORALITY_');
    if (t === INVALID) return within(ctx, `.${key}.aggregationTemporality`);
    if (t === 0) return fail(ctx, `.${key}.aggregationTemporality`, 'unspecified (DELTA or CUMULATIVE is required)');
    head.temporality = t === 1 ? 'delta' : 'cumulative';
  }
  if (type === 'sum') {
    const m = data.isMonotonic;
    if (m !== undefined && m !== null && typeof m !== 'boolean') return fail(ctx, `.${key}.isMonotonic`, 'not a boolean');
    head.monotonic = m === true;
  }
  return head;
}

/** Decodes one Metric, handing each point (or each refusal, with its path) to `sink`. Never throws on data. */
export function decodeMetric(ctx: DecodeContext, raw: unknown, group: RecordGroup, path: string, sink: PointSink): void {
  if (!isObject(raw)) return sink.bad(`${path}: not an object`, 1);
  const bad = invalidText(raw);
  if (bad) return sink.bad(`${path}: ${bad}`, countPoints(raw));
  const head = readHead(ctx, raw);
  if (head === INVALID) return sink.bad(`${path}${ctx.errPath}: ${ctx.errMsg}`, countPoints(raw));
  const points = head.data.dataPoints;
  if (points === undefined || points === null) return;
  if (!Array.isArray(points)) return sink.bad(`${path}.${head.key}.dataPoints: not an array`, 1);
  for (let i = 0; i < points.length; i++) {
    let p: MetricPoint | Invalid;
    try {
      p = decodePoint(ctx, head, points[i], group);
    } catch (err) {
      p = fail(ctx, '', `unreadable (${err instanceof Error ? err.message : 'non-JSON value'})`);
    }
    if (p === INVALID) sink.bad(`${path}.${head.key}.dataPoints[${i}]${ctx.errPath}: ${ctx.errMsg}`, 1);
    else sink.ok(p);
  }
}

function decodePoint(ctx: DecodeContext, head: Head, raw: unknown, group: RecordGroup): MetricPoint | Invalid {
  if (!isObject(raw)) return fail(ctx, '', 'not an object');
  const bad = invalidText(raw);
  if (bad) return fail(ctx, '', bad);
  const attributes = decodeKeyValueList(ctx, raw.attributes, 0, true);
  if (attributes === INVALID) return within(ctx, '.attributes');
  const start = readTime(ctx, raw.startTimeUnixNano);
  if (start === INVALID) return within(ctx, '.startTimeUnixNano');
  const time = readTime(ctx, raw.timeUnixNano);
  if (time === INVALID) return within(ctx, '.timeUnixNano');
  if (time === 0n) return fail(ctx, '.timeUnixNano', 'missing');
  const flags = readUint32(ctx, raw.flags);
  if (flags === INVALID) return within(ctx, '.flags');
  const exemplars = readExemplars(ctx, raw.exemplars);
  if (exemplars === INVALID) return within(ctx, '.exemplars');
  const p: MetricPoint = { point_id: '', name: head.name, type: head.type, time: isoFromNanos(ctx, time), attributes, resource: group.resource, scope: group.scope };
  if (head.description !== undefined) p.description = head.description;
  if (head.unit !== undefined) p.unit = head.unit;
  if (head.temporality !== undefined) p.temporality = head.temporality;
  if (head.monotonic !== undefined) p.monotonic = head.monotonic;
  if (start !== 0n) p.start_time = isoFromNanos(ctx, start);
  if (group.resourceSchemaUrl) p.resource_schema_url = group.resourceSchemaUrl;
  const noValue = flags !== undefined && (flags & 1) === 1; // DataPointFlags.NO_RECORDED_VALUE
  const ok = VALUES[head.type](ctx, raw, p, noValue);
  if (ok === INVALID) return ok;
  if (exemplars.length > 0) p.exemplars = exemplars;
  if (flags) p.flags = flags;
  return p;
}

type ValueReader = (ctx: DecodeContext, raw: Record<string, unknown>, p: MetricPoint, noValue: boolean) => true | Invalid;

const numberValue: ValueReader = (ctx, raw, p, noValue) => {
  const v = readNumberValue(ctx, raw);
  if (v === INVALID) return v;
  if (v === undefined) return noValue ? true : fail(ctx, '', 'no value (asDouble or asInt)');
  if (p.monotonic && metricNumber(v) < 0) {
    return fail(ctx, raw.asDouble !== undefined && raw.asDouble !== null ? '.asDouble' : '.asInt', `negative value ${v} on a monotonic ${p.temporality} sum (a counter never decreases)`);
  }
  p.value = v;
  return true;
};

/** count, sum, min, max: what histograms and summaries share. */
function readStats(ctx: DecodeContext, raw: Record<string, unknown>, p: MetricPoint, withMinMax: boolean): true | Invalid {
  const count = readCount(ctx, raw.count);
  if (count === INVALID) return within(ctx, '.count');
  p.count = count;
  for (const k of withMinMax ? (['sum', 'min', 'max'] as const) : (['sum'] as const)) {
    const v = readFinite(ctx, raw[k]);
    if (v === INVALID) return within(ctx, `.${k}`);
    if (v !== undefined) p[k] = v;
  }
  if (p.min !== undefined && p.max !== undefined && p.min > p.max) return fail(ctx, '.min', `min ${p.min} is above max ${p.max}`);
  return true;
}

const histogramValue: ValueReader = (ctx, raw, p) => {
  if (readStats(ctx, raw, p, true) === INVALID) return INVALID;
  const counts = readList(ctx, raw.bucketCounts, readCount);
  if (counts === INVALID) return within(ctx, '.bucketCounts');
  const bounds = readBounds(ctx, raw.explicitBounds);
  if (bounds === INVALID) return within(ctx, '.explicitBounds');
  if (counts.length > 0 && counts.length !== bounds.length + 1) {
    return fail(ctx, '.bucketCounts', `${counts.length} bucket counts for ${bounds.length} explicit bounds (there must be bounds + 1)`);
  }
  if (counts.length > 0 && total(counts) !== p.count) return fail(ctx, '.count', `count ${p.count} is not the sum of the bucket counts (${total(counts)})`);
  p.bucket_counts = counts;
  p.explicit_bounds = bounds;
  return true;
};

const exponentialValue: ValueReader = (ctx, raw, p) => {
  if (readStats(ctx, raw, p, true) === INVALID) return INVALID;
  const scale = readInt32(ctx, raw.scale);
  if (scale === INVALID) return within(ctx, '.scale');
  if (scale < -10 || scale > 20) return fail(ctx, '.scale', `scale ${scale} is outside -10..20`);
  const zero = readCount(ctx, raw.zeroCount);
  if (zero === INVALID) return within(ctx, '.zeroCount');
  const threshold = readFinite(ctx, raw.zeroThreshold);
  if (threshold === INVALID) return within(ctx, '.zeroThreshold');
  if (threshold !== undefined && threshold < 0) return fail(ctx, '.zeroThreshold', 'negative');
  const positive = readBuckets(ctx, raw.positive);
  if (positive === INVALID) return within(ctx, '.positive');
  const negative = readBuckets(ctx, raw.negative);
  if (negative === INVALID) return within(ctx, '.negative');
  const sum = zero + total(positive?.bucket_counts ?? []) + total(negative?.bucket_counts ?? []);
  if (sum !== p.count) return fail(ctx, '.count', `count ${p.count} is not zeroCount plus the bucket counts (${sum})`);
  Object.assign(p, { scale, zero_count: zero }, threshold !== undefined ? { zero_threshold: threshold } : {});
  if (positive) p.positive = positive;
  if (negative) p.negative = negative;
  return true;
};

function readQuantile(ctx: DecodeContext, q: unknown): { quantile: number; value: number } | Invalid {
  if (!isObject(q)) return fail(ctx, '', 'not an object');
  const quantile = readFinite(ctx, q.quantile);
  if (quantile === INVALID) return within(ctx, '.quantile');
  if (quantile !== undefined && (quantile < 0 || quantile > 1)) return fail(ctx, '.quantile', `${quantile} is outside 0..1`);
  const value = readFinite(ctx, q.value);
  if (value === INVALID) return within(ctx, '.value');
  return { quantile: quantile ?? 0, value: value ?? 0 };
}

const summaryValue: ValueReader = (ctx, raw, p) => {
  if (readStats(ctx, raw, p, false) === INVALID) return INVALID;
  const quantiles = readList(ctx, raw.quantileValues, readQuantile);
  if (quantiles === INVALID) return within(ctx, '.quantileValues');
  p.quantiles = quantiles;
  return true;
};

const VALUES: Record<MetricType, ValueReader> = {
  gauge: numberValue,
  sum: numberValue,
  histogram: histogramValue,
  exponential_histogram: exponentialValue,
  summary: summaryValue,
};
