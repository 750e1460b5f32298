import { metricNumber, type MetricPoint } from '../../../shared/model.js';

/**
 * Metric point → document, in the OpenTelemetry Collector Elasticsearch exporter's `otel` mapping for metrics:
 * `@timestamp`, `start_timestamp`, `unit`, `data_stream`, `attributes`, `resource.attributes`, `scope`, and the
 * value under `metrics.<name>`, mapped through the bulk action's `dynamic_templates` as the Collector does: a
 * number (`double_metric`), a histogram as `{values, counts}` (`histogram_metric`: explicit and exponential
 * buckets as their midpoints, as the Collector converts them), a summary as `{sum, value_count}`
 * (`summary_metric`). One document per point (its `_id` is the point id), so `_metric_names_hash` is not needed.
 * isotel's own fields keep the point exactly: `point_id`, `name`, `type`, `temporality`, `monotonic`,
 * `description`, `flags`, and `point` (the value fields as recorded) and `exemplars`, stored, not indexed.
 * An int64 value beyond ±(2^53 - 1) is a double in `metrics.<name>` (rounded, as the Collector's `double_metric`
 * would hold it), its exact decimal string in `point.value` (what the query API reads), and a `long` in
 * `value_int`, indexed exactly (set for such values only).
 */
export const METRIC_DATA_STREAM = { type: 'metrics', dataset: 'isotel', namespace: 'default' } as const;

export function metricDocument(p: MetricPoint): Record<string, unknown> {
  return {
    '@timestamp': p.time,
    start_timestamp: p.start_time,
    point_id: p.point_id,
    name: p.name,
    type: p.type,
    temporality: p.temporality,
    monotonic: p.monotonic,
    unit: p.unit,
    description: p.description,
    flags: p.flags,
    data_stream: METRIC_DATA_STREAM,
    attributes: p.attributes,
    resource: { attributes: p.resource, schema_url: p.resource_schema_url },
    scope: p.scope,
    metrics: { [p.name]: metricValue(p) },
    point: pointValues(p),
    value_int: typeof p.value === 'string' ? p.value : undefined,
    exemplars: p.exemplars,
  };
}

/** The dynamic template `metrics.<name>` takes (template.ts metricsMappings). */
export function dynamicTemplateOf(p: MetricPoint): string {
  if (p.type === 'histogram' || p.type === 'exponential_histogram') return 'histogram_metric';
  if (p.type === 'summary') return 'summary_metric';
  return 'double_metric';
}

function pointValues(p: MetricPoint): Record<string, unknown> {
  const { value, count, sum, min, max, bucket_counts, explicit_bounds, scale, zero_count, zero_threshold, positive, negative, quantiles } = p;
  return { value, count, sum, min, max, bucket_counts, explicit_bounds, scale, zero_count, zero_threshold, positive, negative, quantiles };
}

function metricValue(p: MetricPoint): unknown {
  if (p.type === 'summary') return { sum: p.sum ?? 0, value_count: p.count ?? 0 };
  if (p.type === 'histogram') return explicitHistogram(p.bucket_counts ?? [], p.explicit_bounds ?? []);
  if (p.type === 'exponential_histogram') return exponentialHistogram(p);
  return p.value === undefined ? null : metricNumber(p.value);
}

/** Each non-empty bucket as its midpoint: the first below bounds[0] at half of it (or at it), the last at the top bound. */
function explicitHistogram(counts: readonly number[], bounds: readonly number[]): { values: number[]; counts: number[] } {
  const out = { values: [] as number[], counts: [] as number[] };
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) continue;
    let v: number;
    if (bounds.length === 0) v = 0;
    else if (i === 0) v = bounds[0] > 0 ? bounds[0] / 2 : bounds[0];
    else if (i === bounds.length) v = bounds[i - 1];
    else v = bounds[i - 1] + (bounds[i] - bounds[i - 1]) / 2;
    out.values.push(v);
    out.counts.push(counts[i]);
  }
  return out;
}

/** Exponential buckets at their midpoints (bucket i is (base^i, base^(i+1)], base = 2^(2^-scale)), ascending. */
function exponentialHistogram(p: MetricPoint): { values: number[]; counts: number[] } {
  const base = 2 ** (2 ** -(p.scale ?? 0));
  const mid = (i: number) => (base ** i + base ** (i + 1)) / 2;
  const pairs: Array<[number, number]> = [];
  const neg = p.negative;
  if (neg) neg.bucket_counts.forEach((c, k) => c > 0 && pairs.push([-mid(neg.offset + k), c]));
  if ((p.zero_count ?? 0) > 0) pairs.push([0, p.zero_count!]);
  const pos = p.positive;
  if (pos) pos.bucket_counts.forEach((c, k) => c > 0 && pairs.push([mid(pos.offset + k), c]));
  pairs.sort((a, b) => a[0] - b[0]);
  return { values: pairs.map((x) => x[0]), counts: pairs.map((x) => x[1]) };
}
