/**
 * The browser meter's in-memory aggregation for one export interval: a sum per series (counter), buckets,
 * count, sum, min and max (histogram), the last value (gauge). `take` turns what the interval recorded into
 * OTLP metrics in delta temporality and starts the next interval empty (a series with nothing recorded is not
 * sent, as OpenTelemetry's delta readers do).
 */
import type { Attributes } from '../../shared/model.js';
import { encodeKeyValues } from '../../shared/otlp/any-value.js';
import type { OtlpDataPoint, OtlpMetric } from '../../shared/otlp/types.js';

export type InstrumentKind = 'counter' | 'histogram' | 'gauge';

interface Series {
  attributes: Attributes;
  value: number;
  count: number;
  min: number;
  max: number;
  buckets: number[];
}

export interface Instrument {
  readonly kind: InstrumentKind;
  readonly name: string;
  readonly unit?: string;
  readonly description?: string;
  /** Histograms only: the explicit bucket boundaries, ascending. */
  readonly boundaries: number[];
  series: Map<string, Series>;
}

/** The series key: the attributes in key order, so `{a, b}` and `{b, a}` are one series. */
function keyOf(attributes: Attributes): string {
  const keys = Object.keys(attributes);
  return keys.length === 0 ? '' : JSON.stringify(keys.sort().map((k) => [k, attributes[k]]));
}

export function record(inst: Instrument, value: number, attributes: Attributes, maxSeries: number): boolean {
  const key = keyOf(attributes);
  let s = inst.series.get(key);
  if (s === undefined) {
    if (inst.series.size >= maxSeries) return false;
    s = { attributes: { ...attributes }, value: 0, count: 0, min: Infinity, max: -Infinity, buckets: inst.kind === 'histogram' ? new Array<number>(inst.boundaries.length + 1).fill(0) : [] };
    inst.series.set(key, s);
  }
  if (inst.kind === 'gauge') s.value = value;
  else s.value += value;
  s.count++;
  if (inst.kind === 'histogram') {
    let i = 0;
    while (i < inst.boundaries.length && value > inst.boundaries[i]) i++; // OTLP buckets: (b[i-1], b[i]]
    s.buckets[i]++;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
  }
  return true;
}

/** Epoch milliseconds as OTLP's decimal nanoseconds. */
const nanos = (ms: number): string => `${Math.round(ms)}000000`;

/** The interval's metric for `inst`, or undefined when it recorded nothing; `inst` starts empty again. */
export function take(inst: Instrument, startMs: number, endMs: number): OtlpMetric | undefined {
  if (inst.series.size === 0) return undefined;
  const dataPoints: OtlpDataPoint[] = [];
  for (const s of inst.series.values()) {
    const p: OtlpDataPoint = { attributes: encodeKeyValues(s.attributes), startTimeUnixNano: nanos(startMs), timeUnixNano: nanos(endMs) };
    if (inst.kind === 'histogram') {
      Object.assign(p, { count: String(s.count), sum: s.value, min: s.min, max: s.max, bucketCounts: s.buckets.map(String), explicitBounds: inst.boundaries });
    } else {
      p.asDouble = s.value;
    }
    if (inst.kind === 'gauge') delete p.startTimeUnixNano;
    dataPoints.push(p);
  }
  inst.series = new Map();
  const metric: OtlpMetric = { name: inst.name };
  if (inst.unit) metric.unit = inst.unit;
  if (inst.description) metric.description = inst.description;
  if (inst.kind === 'counter') metric.sum = { aggregationTemporality: 1, isMonotonic: true, dataPoints };
  else if (inst.kind === 'histogram') metric.histogram = { aggregationTemporality: 1, dataPoints };
  else metric.gauge = { dataPoints };
  return metric;
}
