/**
 * An OTLP JSON-shaped ExportMetricsServiceRequest (what encodeMetrics builds) to protobuf bytes: the inverse of
 * protobuf-metrics.ts, with the same field numbers (opentelemetry-proto metrics/v1/metrics.proto; each is
 * commented `number name`). Repeated numbers are written packed, as proto3 does. The `optional` doubles (sum,
 * min, max) and the oneof values are written whenever set, zero included, so their presence survives.
 */
import type { ExportMetricsServiceRequest, OtlpDataPoint, OtlpExemplar, OtlpMetric, OtlpMetricData, OtlpMetricKind, OtlpScopeMetrics } from './types.js';
import { group, id, keyValues, message, resource, scope, str, time, uint, type Encode } from './encode-protobuf.js';
import { Writer } from './protobuf-writer.js';

function double(w: Writer, field: number, v: number | undefined): void {
  if (v === undefined) return;
  w.tag(field, 1);
  w.double(v);
}

function fixed64(w: Writer, field: number, v: string | number | undefined): void {
  if (v === undefined) return;
  w.tag(field, 1);
  w.fixed64(BigInt(v));
}

/** `as_double` (field `d`) or `as_int` (sfixed64, field `i`), whichever is set: a oneof. */
function numberValue(w: Writer, d: number, i: number, v: { asDouble?: number; asInt?: string }): void {
  if (v.asDouble !== undefined) double(w, d, v.asDouble);
  else if (v.asInt !== undefined) fixed64(w, i, v.asInt);
}

function sint32(w: Writer, field: number, v: number | undefined): void {
  if (!v) return;
  w.tag(field, 0);
  w.varint(((v << 1) ^ (v >> 31)) >>> 0);
}

function packed<T>(w: Writer, field: number, list: readonly T[] | undefined, write: (w: Writer, v: T) => void): void {
  if (!list || list.length === 0) return;
  w.tag(field, 2);
  const start = w.begin();
  for (const v of list) write(w, v);
  w.end(start);
}

function exemplar(w: Writer, e: OtlpExemplar): void {
  keyValues(w, 7, e.filteredAttributes); // 7 filtered_attributes
  time(w, 2, e.timeUnixNano); // 2 time_unix_nano
  numberValue(w, 3, 6, e); // 3 as_double, 6 as_int
  id(w, 4, e.spanId); // 4 span_id
  id(w, 5, e.traceId); // 5 trace_id
}

/** Where the fields every point type has sit in each type (the numbers differ). */
interface Layout {
  attributes: number;
  exemplars: number;
  flags: number;
}

function common(w: Writer, p: OtlpDataPoint, l: Layout): void {
  keyValues(w, l.attributes, p.attributes);
  time(w, 2, p.startTimeUnixNano); // 2 start_time_unix_nano
  time(w, 3, p.timeUnixNano); // 3 time_unix_nano
  for (const e of p.exemplars ?? []) message(w, l.exemplars, e, exemplar);
  uint(w, l.flags, p.flags);
}

function countAndSum(w: Writer, p: OtlpDataPoint): void {
  fixed64(w, 4, p.count ?? '0'); // 4 count
  double(w, 5, p.sum); // 5 sum
}

const numberPoint: Encode<OtlpDataPoint> = (w, p) => {
  common(w, p, { attributes: 7, exemplars: 5, flags: 8 });
  numberValue(w, 4, 6, p); // 4 as_double, 6 as_int
};

const histogramPoint: Encode<OtlpDataPoint> = (w, p) => {
  common(w, p, { attributes: 9, exemplars: 8, flags: 10 });
  countAndSum(w, p);
  packed(w, 6, p.bucketCounts, (ww, c) => ww.fixed64(BigInt(c))); // 6 bucket_counts fixed64
  packed(w, 7, p.explicitBounds, (ww, b) => ww.double(b)); // 7 explicit_bounds
  double(w, 11, p.min); // 11 min
  double(w, 12, p.max); // 12 max
};

const buckets: Encode<{ offset?: number; bucketCounts?: string[] }> = (w, b) => {
  sint32(w, 1, b.offset); // 1 offset
  packed(w, 2, b.bucketCounts, (ww, c) => ww.varint(Number(c))); // 2 bucket_counts uint64
};

const exponentialPoint: Encode<OtlpDataPoint> = (w, p) => {
  common(w, p, { attributes: 1, exemplars: 11, flags: 10 });
  countAndSum(w, p);
  sint32(w, 6, p.scale); // 6 scale
  fixed64(w, 7, p.zeroCount); // 7 zero_count
  if (p.positive) message(w, 8, p.positive, buckets); // 8 positive
  if (p.negative) message(w, 9, p.negative, buckets); // 9 negative
  double(w, 12, p.min); // 12 min
  double(w, 13, p.max); // 13 max
  double(w, 14, p.zeroThreshold); // 14 zero_threshold
};

const summaryPoint: Encode<OtlpDataPoint> = (w, p) => {
  common(w, p, { attributes: 7, exemplars: 0, flags: 8 }); // summary points have no exemplars
  countAndSum(w, p);
  for (const q of p.quantileValues ?? []) {
    message(w, 6, q, (ww, v) => {
      double(ww, 1, v.quantile ?? 0); // 1 quantile
      double(ww, 2, v.value ?? 0); // 2 value
    });
  }
};

function data(point: Encode<OtlpDataPoint>): Encode<OtlpMetricData> {
  return (w, d) => {
    for (const p of d.dataPoints ?? []) message(w, 1, p, point); // 1 data_points
    uint(w, 2, d.aggregationTemporality); // 2 aggregation_temporality
    uint(w, 3, d.isMonotonic ? 1 : 0); // 3 is_monotonic
  };
}

const DATA: Array<[OtlpMetricKind, number, Encode<OtlpMetricData>]> = [
  ['gauge', 5, data(numberPoint)],
  ['sum', 7, data(numberPoint)],
  ['histogram', 9, data(histogramPoint)],
  ['exponentialHistogram', 10, data(exponentialPoint)],
  ['summary', 11, data(summaryPoint)],
];

const metric: Encode<OtlpMetric> = (w, m) => {
  str(w, 1, m.name); // 1 name
  str(w, 2, m.description); // 2 description
  str(w, 3, m.unit); // 3 unit
  for (const [key, field, encode] of DATA) {
    const d = m[key];
    if (d) message(w, field, d, encode);
  }
};

const scopeMetrics: Encode<OtlpScopeMetrics> = (w, sm) => group(sm.scope, scope, sm.metrics, metric, sm.schemaUrl)(w, sm);

/** An ExportMetricsServiceRequest (OTLP JSON shape) in protobuf. */
export function encodeMetricsProtobuf(req: ExportMetricsServiceRequest): Uint8Array {
  const w = new Writer();
  for (const rm of req.resourceMetrics ?? []) {
    message(w, 1, rm, group(rm.resource, resource, rm.scopeMetrics, scopeMetrics, rm.schemaUrl)); // 1 resource_metrics
  }
  return w.finish();
}
