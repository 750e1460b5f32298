/**
 * Metric points back to an OTLP JSON ExportMetricsServiceRequest: the inverse of decodeMetrics. Points are
 * grouped into resource (schema URL and attributes) → scope (name, version, attributes, schema URL) → metric
 * (name, description, unit, type, temporality, monotonic), each group in order of first appearance, so the
 * points of one request come back in one Metric per stream. Times go out as decimal nanoseconds, counts as
 * decimal strings, attributes with the exact encoder's key-values (tagged values written back as what they
 * stand for). A value goes out as `asDouble`, except an int64 beyond ±(2^53 - 1) (the model's decimal string),
 * which goes out as `asInt`: the model keeps a number, not whether the sender used as_int, and a double holds
 * every other value exactly. Decoding the result gives the same points (and so the same ids).
 */
import type { Attributes, Exemplar, ExponentialBuckets, InstrumentationScope, MetricPoint, MetricType, MetricValue } from '../model.js';
import { isoToNanos } from '../time.js';
import { encodeKeyValues } from './any-value.js';
import { untagKeyValues } from './encode-exact.js';
import type {
  ExportMetricsServiceRequest,
  OtlpDataPoint,
  OtlpExemplar,
  OtlpInstrumentationScope,
  OtlpKeyValue,
  OtlpMetric,
  OtlpMetricKind,
  OtlpResourceMetrics,
  OtlpScopeMetrics,
} from './types.js';

const KIND: Record<MetricType, OtlpMetricKind> = {
  gauge: 'gauge',
  sum: 'sum',
  histogram: 'histogram',
  exponential_histogram: 'exponentialHistogram',
  summary: 'summary',
};

function nanos(iso: string | undefined): string {
  const n = typeof iso === 'string' ? isoToNanos(iso) : undefined;
  return n === undefined || n < 0n ? '0' : n.toString();
}

function keyValues(attrs: Attributes | undefined): OtlpKeyValue[] {
  const out = encodeKeyValues(attrs ?? {});
  untagKeyValues(out);
  return out;
}

function encodeScope(scope: InstrumentationScope | undefined): OtlpInstrumentationScope {
  const out: OtlpInstrumentationScope = { name: scope?.name ?? '' };
  if (scope?.version) out.version = scope.version;
  if (scope?.attributes && Object.keys(scope.attributes).length > 0) out.attributes = keyValues(scope.attributes);
  return out;
}

function encodeExemplar(e: Exemplar): OtlpExemplar {
  const out: OtlpExemplar = { timeUnixNano: nanos(e.time) };
  setValue(out, e.value);
  const attrs = keyValues(e.filtered_attributes);
  if (attrs.length > 0) out.filteredAttributes = attrs;
  if (e.trace_id) out.traceId = e.trace_id;
  if (e.span_id) out.spanId = e.span_id;
  return out;
}

const counts = (list: readonly number[] | undefined): string[] => (list ?? []).map((c) => String(c));
const buckets = (b: ExponentialBuckets): { offset: number; bucketCounts: string[] } => ({ offset: b.offset, bucketCounts: counts(b.bucket_counts) });

/** `asDouble`, or `asInt` for an int64 the model keeps as its decimal string. */
function setValue(out: { asDouble?: number; asInt?: string }, v: MetricValue): void {
  if (typeof v === 'string') out.asInt = v;
  else out.asDouble = v;
}

/** The value fields of a point, by its type (what decode-metric.ts reads back). */
function encodeValues(p: MetricPoint, out: OtlpDataPoint): void {
  if (p.type === 'gauge' || p.type === 'sum') {
    if (p.value !== undefined) setValue(out, p.value);
    return;
  }
  out.count = String(p.count ?? 0);
  if (p.sum !== undefined) out.sum = p.sum;
  if (p.type === 'summary') {
    out.quantileValues = (p.quantiles ?? []).map((q) => ({ quantile: q.quantile, value: q.value }));
    return;
  }
  if (p.min !== undefined) out.min = p.min;
  if (p.max !== undefined) out.max = p.max;
  if (p.type === 'histogram') {
    out.bucketCounts = counts(p.bucket_counts);
    out.explicitBounds = [...(p.explicit_bounds ?? [])];
    return;
  }
  out.scale = p.scale ?? 0;
  out.zeroCount = String(p.zero_count ?? 0);
  if (p.zero_threshold !== undefined) out.zeroThreshold = p.zero_threshold;
  if (p.positive) out.positive = buckets(p.positive);
  if (p.negative) out.negative = buckets(p.negative);
}

export function encodeDataPoint(p: MetricPoint): OtlpDataPoint {
  const out: OtlpDataPoint = { attributes: keyValues(p.attributes), timeUnixNano: nanos(p.time) };
  if (p.start_time) out.startTimeUnixNano = nanos(p.start_time);
  encodeValues(p, out);
  if (p.exemplars && p.exemplars.length > 0) out.exemplars = p.exemplars.map(encodeExemplar);
  if (p.flags) out.flags = p.flags;
  return out;
}

function newMetric(p: MetricPoint): OtlpMetric {
  const metric: OtlpMetric = { name: p.name };
  if (p.description) metric.description = p.description;
  if (p.unit) metric.unit = p.unit;
  const data: OtlpMetric[OtlpMetricKind] = { dataPoints: [] };
  if (p.temporality) data.aggregationTemporality = p.temporality === 'delta' ? 1 : 2;
  if (p.type === 'sum') data.isMonotonic = p.monotonic === true;
  metric[KIND[p.type]] = data;
  return metric;
}

/** The entry of `key`, made (and attached to its parent by `make`) when missing. */
function getOrAdd<V>(map: Map<string, V>, key: string, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

interface ScopeGroup {
  out: OtlpScopeMetrics;
  metrics: Map<string, OtlpMetric>;
}

interface ResourceGroup {
  out: OtlpResourceMetrics;
  scopes: Map<string, ScopeGroup>;
}

export function encodeMetrics(points: readonly MetricPoint[]): ExportMetricsServiceRequest {
  const resources = new Map<string, ResourceGroup>();
  const resourceMetrics: OtlpResourceMetrics[] = [];
  for (const p of points) {
    const rKey = `${p.resource_schema_url ?? ''}\n${JSON.stringify(p.resource ?? {})}`;
    const r = getOrAdd(resources, rKey, () => {
      const out: OtlpResourceMetrics = { resource: { attributes: keyValues(p.resource) }, scopeMetrics: [] };
      if (p.resource_schema_url) out.schemaUrl = p.resource_schema_url;
      resourceMetrics.push(out);
      return { out, scopes: new Map() };
    });
    const s = getOrAdd(r.scopes, JSON.stringify(p.scope ?? {}), () => {
      const out: OtlpScopeMetrics = { scope: encodeScope(p.scope), metrics: [] };
      if (p.scope?.schema_url) out.schemaUrl = p.scope.schema_url;
      r.out.scopeMetrics?.push(out);
      return { out, metrics: new Map() };
    });
    const mKey = JSON.stringify([p.name, p.description ?? '', p.unit ?? '', p.type, p.temporality ?? '', p.monotonic ?? null]);
    const m = getOrAdd(s.metrics, mKey, () => {
      const metric = newMetric(p);
      s.out.metrics?.push(metric);
      return metric;
    });
    m[KIND[p.type]]?.dataPoints.push(encodeDataPoint(p));
  }
  return { resourceMetrics };
}
