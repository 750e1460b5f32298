import type { HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, InstrumentType, type DataPoint, type ExponentialHistogram, type Histogram, type MetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';

type Buckets = ExponentialHistogram['positive'];

/**
 * A producer that reads `producer` (cumulative) and returns deltas since its own previous collection, for the
 * instruments the OTLP delta preference puts in delta (monotonic sums, histograms, exponential histograms;
 * up-down counters and observable gauges pass unchanged; engine-exporter.ts's deltaPreferred). As in a delta
 * reader of sdk-metrics, a series that did not change is not reported, and a series seen for the first time
 * reports all it counted. A synchronous gauge is reported only when its value changed since the previous
 * collection, as sdk-metrics reports it only when recorded in the interval (the cumulative value cannot tell a
 * same-value re-recording from none: that one is not reported); an observable gauge, whose callback runs at
 * every collection, is reported every time, as sdk-metrics does. A value that went down (a reset) is reported whole with its own start time. A delta histogram's
 * min (max) is the cumulative one when the interval lowered (raised) it, and absent otherwise: the exact
 * interval extremes are not derivable from two cumulative points. State: the last point of each live series.
 */
export function deltaProducer(producer: MetricProducer): MetricProducer {
  let last = new Map<string, DataPoint<unknown>>();
  return {
    async collect(options) {
      const result = await producer.collect(options);
      const next = new Map<string, DataPoint<unknown>>();
      const rm = result.resourceMetrics;
      const scopeMetrics = rm.scopeMetrics.map((sm) => {
        const prefix = `${sm.scope.name}\u0000${sm.scope.version ?? ''}\u0000`;
        return { ...sm, metrics: sm.metrics.map((m) => metricDelta(m, `${prefix}${m.descriptor.name}\u0000`, last, next)) };
      });
      last = next;
      return { ...result, resourceMetrics: { ...rm, scopeMetrics } };
    },
  };
}

type Delta<T> = (cur: T, prev: T) => T | 'reset' | 'unchanged';

function metricDelta(m: MetricData, prefix: string, last: Map<string, DataPoint<unknown>>, next: Map<string, DataPoint<unknown>>): MetricData {
  const points = <T>(dataPoints: DataPoint<T>[], delta: Delta<T>): DataPoint<T>[] => {
    const out: DataPoint<T>[] = [];
    for (const p of dataPoints) {
      const key = prefix + attributesKey(p.attributes);
      const prev = last.get(key) as DataPoint<T> | undefined;
      next.set(key, p);
      const d = prev === undefined ? 'reset' : delta(p.value, prev.value);
      if (d === 'unchanged') continue;
      out.push(d === 'reset' || prev === undefined ? p : { ...p, startTime: prev.endTime as HrTime, value: d });
    }
    return out;
  };
  const delta = { aggregationTemporality: AggregationTemporality.DELTA };
  switch (m.dataPointType) {
    case DataPointType.SUM:
      return m.isMonotonic ? { ...m, ...delta, dataPoints: points(m.dataPoints, sumDelta) } : m;
    case DataPointType.HISTOGRAM:
      return { ...m, ...delta, dataPoints: points(m.dataPoints, histogramDelta) };
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return { ...m, ...delta, dataPoints: points(m.dataPoints, exponentialDelta) };
    case DataPointType.GAUGE:
      // sdk-metrics hands the instrument's descriptor, with its type, though MetricDescriptor does not declare it
      return (m.descriptor as { type?: InstrumentType }).type === InstrumentType.GAUGE ? { ...m, ...delta, dataPoints: points(m.dataPoints, gaugeDelta) } : m;
    default:
      return m;
  }
}

function attributesKey(attrs: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(attrs).sort();
  return JSON.stringify(keys.map((k) => [k, attrs[k]]));
}

const sumDelta: Delta<number> = (cur, prev) => (cur === prev ? 'unchanged' : cur < prev ? 'reset' : cur - prev);

/** A synchronous gauge: the point as collected ('reset': reported whole) when its value changed. */
const gaugeDelta: Delta<number> = (cur, prev) => (cur === prev ? 'unchanged' : 'reset');

const histogramDelta: Delta<Histogram> = (cur, prev) => {
  if (cur.count === prev.count) return 'unchanged';
  const c = cur.buckets.counts;
  const p = prev.buckets.counts;
  if (cur.count < prev.count || c.length !== p.length) return 'reset';
  return {
    buckets: { boundaries: cur.buckets.boundaries, counts: c.map((n, i) => n - p[i]) },
    count: cur.count - prev.count,
    sum: cur.sum !== undefined && prev.sum !== undefined ? cur.sum - prev.sum : undefined,
    ...extremes(cur, prev),
  };
};

function extremes(cur: { min?: number; max?: number }, prev: { min?: number; max?: number }): { min?: number; max?: number } {
  const out: { min?: number; max?: number } = {};
  if (cur.min !== undefined && (prev.min === undefined || cur.min < prev.min)) out.min = cur.min;
  if (cur.max !== undefined && (prev.max === undefined || cur.max > prev.max)) out.max = cur.max;
  return out;
}

const exponentialDelta: Delta<ExponentialHistogram> = (cur, prev) => {
  if (cur.count === prev.count) return 'unchanged';
  // a cumulative exponential histogram only ever lowers its scale (a merge downscales), never raises it
  if (cur.count < prev.count || cur.scale > prev.scale) return 'reset';
  const shift = prev.scale - cur.scale;
  const positive = bucketsDelta(cur.positive, prev.positive, shift);
  const negative = bucketsDelta(cur.negative, prev.negative, shift);
  if (positive === undefined || negative === undefined) return 'reset';
  return {
    count: cur.count - prev.count,
    sum: cur.sum !== undefined && prev.sum !== undefined ? cur.sum - prev.sum : undefined,
    scale: cur.scale,
    zeroCount: cur.zeroCount - prev.zeroCount,
    positive,
    negative,
    ...extremes(cur, prev),
  };
};

/** `cur` minus `prev` brought down to `cur`'s scale (index >> shift); undefined when prev does not fit in cur. */
function bucketsDelta(cur: Buckets, prev: Buckets, shift: number): Buckets | undefined {
  const counts = cur.bucketCounts.slice();
  for (let i = 0; i < prev.bucketCounts.length; i++) {
    const n = prev.bucketCounts[i];
    if (n === 0) continue;
    const at = ((prev.offset + i) >> shift) - cur.offset;
    if (at < 0 || at >= counts.length || counts[at] < n) return undefined;
    counts[at] -= n;
  }
  return { offset: cur.offset, bucketCounts: counts };
}
