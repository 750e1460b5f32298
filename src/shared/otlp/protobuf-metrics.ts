/**
 * OTLP/HTTP protobuf ExportMetricsServiceRequest bodies to the OTLP JSON shape decodeMetrics checks (the same
 * reader and conventions as protobuf.ts: 64-bit counts and times as decimal strings, doubles as numbers or
 * "NaN"/"Infinity", enums as integers). Repeated numeric fields are read packed (what every encoder writes) or
 * unpacked, as protobuf requires. Field numbers: opentelemetry-proto metrics/v1/metrics.proto and
 * collector/metrics/v1/metrics_service.proto; each case is commented `number name`.
 */
import { ProtobufError, Reader } from './protobuf-reader.js';
import { groupReader, readKeyValue, readResource, readScope, requestReader, settleText, sub, type MessageReader, type Obj } from './protobuf-common.js';

const METRIC = ['', 'name', 'description', 'unit', '', 'gauge', '', 'sum', '', 'histogram', 'exponentialHistogram', 'summary', 'metadata'];
const DATA = ['', 'dataPoints', 'aggregationTemporality', 'isMonotonic'];
const NUMBER_POINT = ['', '', 'startTimeUnixNano', 'timeUnixNano', 'asDouble', 'exemplars', 'asInt', 'attributes', 'flags'];
const HISTOGRAM_POINT = ['', '', 'startTimeUnixNano', 'timeUnixNano', 'count', 'sum', '', '', 'exemplars', 'attributes', 'flags', 'min', 'max'];
const EXP_POINT = ['', 'attributes', 'startTimeUnixNano', 'timeUnixNano', 'count', 'sum', 'scale', 'zeroCount', 'positive', 'negative', 'flags', 'exemplars', 'min', 'max', 'zeroThreshold'];
const SUMMARY_POINT = ['', '', 'startTimeUnixNano', 'timeUnixNano', 'count', 'sum', 'quantileValues', 'attributes', 'flags'];
const EXEMPLAR = ['', '', 'timeUnixNano', 'asDouble', 'spanId', 'traceId', 'asInt', 'filteredAttributes'];
const BUCKETS = ['', 'offset', ''];
const QUANTILE = ['', 'quantile', 'value'];

/** A fixed64 count or time as its decimal string. */
const fixed = (r: Reader, end: number) => r.time(end);
/** An sfixed64 (as_int). */
function sfixed64(r: Reader, end: number): number | string {
  r.fixed64(end);
  return r.int64();
}
/** A sint32 (zigzag varint: scale, bucket offset). */
function sint32(r: Reader, end: number): number {
  r.varint(end);
  return (r.lo >>> 1) ^ -(r.lo & 1);
}
function uint64Varint(r: Reader, end: number): string {
  r.varint(end);
  return r.uint64String();
}

/** One element of a repeated numeric field, or all of a packed run of them (wire type 2). */
function repeated<T>(r: Reader, end: number, tag: number, into: T[], read: (r: Reader, end: number) => T): void {
  if ((tag & 7) !== 2) {
    into.push(read(r, end));
    return;
  }
  const stop = r.lengthEnd(end);
  while (r.pos < stop) into.push(read(r, stop));
  if (r.pos !== stop) throw new ProtobufError(`protobuf: packed field overruns its length at byte ${r.tagAt}`);
}

function readExemplar(r: Reader, end: number, depth: number): Obj {
  const out: Obj = {};
  const attributes: Obj[] = [];
  while (r.pos < end) {
    const t = r.tag(end);
    switch (t) {
      case 0x3a: attributes.push(sub(r, end, depth, readKeyValue)); break; // 7 filtered_attributes
      case 0x11: out.timeUnixNano = fixed(r, end); break; // 2 time_unix_nano fixed64
      case 0x19: out.asDouble = r.doubleValue(end); break; // 3 as_double
      case 0x31: out.asInt = sfixed64(r, end); break; // 6 as_int sfixed64
      case 0x22: out.spanId = r.bytesHex(end); break; // 4 span_id
      case 0x2a: out.traceId = r.bytesHex(end); break; // 5 trace_id
      default: r.other(t, end, 'Exemplar', EXEMPLAR);
    }
  }
  out.filteredAttributes = attributes;
  return out;
}

/** The fields every point type has, by tag (they differ in numbers between types): true when `t` was one. */
interface Common {
  attributes: number;
  exemplars: number;
  flags: number;
}

function readCommon(r: Reader, end: number, depth: number, t: number, c: Common, out: Obj, lists: { attributes: Obj[]; exemplars: Obj[] }): boolean {
  if (t === c.attributes) lists.attributes.push(sub(r, end, depth, readKeyValue));
  else if (t === c.exemplars) lists.exemplars.push(sub(r, end, depth, readExemplar));
  else if (t === c.flags) out.flags = r.uint32Value(end);
  else if (t === 0x11) out.startTimeUnixNano = fixed(r, end); // 2 start_time_unix_nano
  else if (t === 0x19) out.timeUnixNano = fixed(r, end); // 3 time_unix_nano
  else return false;
  return true;
}

/** A reader for one point type: the common fields, then `rest` for its own; unknown fields skipped. */
function pointReader(name: string, fields: readonly string[], c: Common, rest: (r: Reader, end: number, depth: number, t: number, out: Obj) => boolean): MessageReader {
  return (r, end, depth) => {
    const out: Obj = {};
    const lists = { attributes: [] as Obj[], exemplars: [] as Obj[] };
    while (r.pos < end) {
      const t = r.tag(end);
      if (!readCommon(r, end, depth, t, c, out, lists) && !rest(r, end, depth, t, out)) r.other(t, end, name, fields);
    }
    out.attributes = lists.attributes;
    out.exemplars = lists.exemplars;
    return settleText(r, out);
  };
}

const readNumberPoint = pointReader('NumberDataPoint', NUMBER_POINT, { attributes: 0x3a, exemplars: 0x2a, flags: 0x40 }, (r, end, _d, t, out) => {
  if (t === 0x21) out.asDouble = r.doubleValue(end); // 4 as_double
  else if (t === 0x31) out.asInt = sfixed64(r, end); // 6 as_int sfixed64
  else return false;
  return true;
});

/** count (4, fixed64), sum (5, double): histogram, exponential histogram and summary points alike. */
function countAndSum(r: Reader, end: number, t: number, out: Obj): boolean {
  if (t === 0x21) out.count = fixed(r, end);
  else if (t === 0x29) out.sum = r.doubleValue(end);
  else return false;
  return true;
}

const readHistogramPoint = pointReader('HistogramDataPoint', HISTOGRAM_POINT, { attributes: 0x4a, exemplars: 0x42, flags: 0x50 }, (r, end, _d, t, out) => {
  if (countAndSum(r, end, t, out)) return true;
  if (t === 0x31 || t === 0x32) repeated(r, end, t, (out.bucketCounts ??= []) as string[], fixed); // 6 bucket_counts fixed64
  else if (t === 0x39 || t === 0x3a) repeated(r, end, t, (out.explicitBounds ??= []) as Array<number | string>, (rr, e) => rr.doubleValue(e)); // 7 explicit_bounds
  else if (t === 0x59) out.min = r.doubleValue(end); // 11 min
  else if (t === 0x61) out.max = r.doubleValue(end); // 12 max
  else return false;
  return true;
});

function readBuckets(r: Reader, end: number): Obj {
  const out: Obj = { bucketCounts: [] };
  while (r.pos < end) {
    const t = r.tag(end);
    if (t === 0x08) out.offset = sint32(r, end); // 1 offset sint32
    else if (t === 0x10 || t === 0x12) repeated(r, end, t, out.bucketCounts as string[], uint64Varint); // 2 bucket_counts uint64
    else r.other(t, end, 'Buckets', BUCKETS);
  }
  return out;
}

const readExponentialPoint = pointReader('ExponentialHistogramDataPoint', EXP_POINT, { attributes: 0x0a, exemplars: 0x5a, flags: 0x50 }, (r, end, depth, t, out) => {
  if (countAndSum(r, end, t, out)) return true;
  switch (t) {
    case 0x30: out.scale = sint32(r, end); break; // 6 scale sint32
    case 0x39: out.zeroCount = fixed(r, end); break; // 7 zero_count fixed64
    case 0x42: out.positive = sub(r, end, depth, readBuckets); break; // 8 positive
    case 0x4a: out.negative = sub(r, end, depth, readBuckets); break; // 9 negative
    case 0x61: out.min = r.doubleValue(end); break; // 12 min
    case 0x69: out.max = r.doubleValue(end); break; // 13 max
    case 0x71: out.zeroThreshold = r.doubleValue(end); break; // 14 zero_threshold
    default: return false;
  }
  return true;
});

function readQuantile(r: Reader, end: number): Obj {
  const out: Obj = {};
  while (r.pos < end) {
    const t = r.tag(end);
    if (t === 0x09) out.quantile = r.doubleValue(end); // 1 quantile
    else if (t === 0x11) out.value = r.doubleValue(end); // 2 value
    else r.other(t, end, 'ValueAtQuantile', QUANTILE);
  }
  return out;
}

// Summary points have no exemplars: 0 never matches a tag.
const readSummaryPoint = pointReader('SummaryDataPoint', SUMMARY_POINT, { attributes: 0x3a, exemplars: 0, flags: 0x40 }, (r, end, depth, t, out) => {
  if (countAndSum(r, end, t, out)) return true;
  if (t !== 0x32) return false;
  ((out.quantileValues ??= []) as Obj[]).push(sub(r, end, depth, readQuantile)); // 6 quantile_values
  return true;
});

/** Gauge, Sum, Histogram, ExponentialHistogram, Summary: `1: repeated points, 2: temporality, 3: is_monotonic`. */
function dataReader(name: string, readPoint: MessageReader): MessageReader {
  return (r, end, depth) => {
    const points: Obj[] = [];
    const out: Obj = { dataPoints: points };
    while (r.pos < end) {
      const t = r.tag(end);
      if (t === 0x0a) points.push(sub(r, end, depth, readPoint));
      else if (t === 0x10) out.aggregationTemporality = r.enumValue(end);
      else if (t === 0x18) out.isMonotonic = r.boolValue(end);
      else r.other(t, end, name, DATA);
    }
    return out;
  };
}

const DATA_READERS: Record<number, [string, MessageReader]> = {
  0x2a: ['gauge', dataReader('Gauge', readNumberPoint)], // 5 gauge
  0x3a: ['sum', dataReader('Sum', readNumberPoint)], // 7 sum
  0x4a: ['histogram', dataReader('Histogram', readHistogramPoint)], // 9 histogram
  0x52: ['exponentialHistogram', dataReader('ExponentialHistogram', readExponentialPoint)], // 10 exponential_histogram
  0x5a: ['summary', dataReader('Summary', readSummaryPoint)], // 11 summary
};

function readMetric(r: Reader, end: number, depth: number): Obj {
  const out: Obj = {};
  while (r.pos < end) {
    const t = r.tag(end);
    const data = DATA_READERS[t];
    if (data) {
      // A oneof: the last one read wins, as protobuf says.
      for (const [k] of Object.values(DATA_READERS)) delete out[k];
      out[data[0]] = sub(r, end, depth, data[1]);
    } else if (t === 0x0a) out.name = r.string(end, 'Metric.name'); // 1 name
    else if (t === 0x12) out.description = r.string(end, 'Metric.description'); // 2 description
    else if (t === 0x1a) out.unit = r.string(end, 'Metric.unit'); // 3 unit
    else if (t === 0x62) sub(r, end, depth, readKeyValue); // 12 metadata: read (checked) and not kept
    else r.other(t, end, 'Metric', METRIC);
  }
  return settleText(r, out);
}

const readScopeMetrics = groupReader('ScopeMetrics', 'scope', 'metrics', readScope, readMetric);
const readResourceMetrics = groupReader('ResourceMetrics', 'resource', 'scopeMetrics', readResource, readScopeMetrics);
const readMetricsRequest = requestReader('ExportMetricsServiceRequest', 'resourceMetrics', readResourceMetrics);

/** An ExportMetricsServiceRequest in protobuf to its OTLP JSON shape (feed it to decodeMetrics). */
export function decodeMetricsProtobuf(buf: Uint8Array): unknown {
  if (!(buf instanceof Uint8Array)) throw new ProtobufError('protobuf: body is not a byte array');
  return readMetricsRequest(new Reader(buf), buf.length, 0);
}
