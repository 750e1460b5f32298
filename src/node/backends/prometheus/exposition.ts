import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { emptyResource } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { ValueType, type Attributes as OtelAttributes } from '@opentelemetry/api';
import type { Attributes } from '../../../shared/model.js';
import type { Series, SeriesStore, Target } from './series.js';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** OpenMetrics when the scrape's Accept asks for it (Prometheus does by default), else the text format 0.0.4. */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return /application\/openmetrics-text/i.test(accept ?? '');
}

/**
 * The store's series as one exposition. The metric families go through `@opentelemetry/exporter-prometheus`'s
 * `PrometheusSerializer` (names sanitized, `_total` on counters, histogram `_bucket`/`_sum`/`_count` with
 * cumulative `le` buckets, label escaping) from one ResourceMetrics built here, without its own `target_info` and
 * scope labels: series of many resources share a family, so `job`/`instance` are labels of each point, and
 * `target_info` (one line per job/instance, the resource's other attributes) is written here.
 */
export function expose(store: SeriesStore, openMetrics: boolean): string {
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  const body = store.series.size === 0 ? '' : serializer.serialize(resourceMetrics(store.series.values()));
  const text = `${targetInfo(store.targets.values())}${body.endsWith('\n') || body === '' ? body : `${body}\n`}`;
  return openMetrics ? toOpenMetrics(text) : text;
}

function resourceMetrics(series: Iterable<Series>): ResourceMetrics {
  const families = new Map<string, Series[]>();
  for (const s of series) {
    const list = families.get(s.family);
    if (list) list.push(s);
    else families.set(s.family, [s]);
  }
  const metrics = [...families.values()].map(metricData);
  return { resource: emptyResource(), scopeMetrics: [{ scope: { name: 'isotel.prometheus' }, metrics }] };
}

function metricData(list: Series[]): MetricData {
  const first = list[0];
  const descriptor = { name: first.family, description: first.description, unit: '', valueType: ValueType.DOUBLE };
  const point = (s: Series) => ({ startTime: [0, 0] as [number, number], endTime: hr(s.time), attributes: labels(s) });
  if (first.kind === 'histogram') {
    const dataPoints = list.map((s) => ({ ...point(s), value: { buckets: { boundaries: s.bounds, counts: s.buckets }, sum: s.sum, count: s.count } }));
    return { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.HISTOGRAM, dataPoints };
  }
  const dataPoints = list.map((s) => ({ ...point(s), value: s.value }));
  if (first.kind === 'counter') {
    return { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints };
  }
  return { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints };
}

function labels(s: Series): OtelAttributes {
  const out: OtelAttributes = { ...(s.attributes as OtelAttributes) };
  if (s.target.job !== undefined) out.job = s.target.job;
  if (s.target.instance !== undefined) out.instance = s.target.instance;
  return out;
}

const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1e6];

/** `target_info{job,instance,<other resource attributes>} 1`, one line per target. */
function targetInfo(targets: Iterable<Target>): string {
  const lines: string[] = [];
  for (const t of targets) {
    const pairs: Array<[string, unknown]> = [];
    if (t.job !== undefined) pairs.push(['job', t.job]);
    if (t.instance !== undefined) pairs.push(['instance', t.instance]);
    for (const [k, v] of Object.entries(t.info as Attributes)) pairs.push([k.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_'), v]);
    if (pairs.length === 0) continue;
    lines.push(`target_info{${pairs.map(([k, v]) => `${k}="${escape(typeof v === 'string' ? v : JSON.stringify(v))}"`).join(',')}} 1`);
  }
  if (lines.length === 0) return '';
  return `# HELP target_info Target metadata\n# TYPE target_info gauge\n${lines.join('\n')}\n`;
}

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/**
 * The text format as OpenMetrics 1.0 (the serializer writes the text format only): a counter family is named
 * without `_total` in its HELP/TYPE lines (its samples keep it), the serializer's empty-store comment goes, and
 * the exposition ends with `# EOF`.
 */
export function toOpenMetrics(text: string): string {
  const counters = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+)_total counter$/gm)) counters.add(m[1]);
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('# no registered metrics') && !l.startsWith('# UNIT '));
  const out = lines.map((l) => {
    const m = /^# (HELP|TYPE) (\S+)_total( .*)$/.exec(l);
    return m && counters.has(m[2]) ? `# ${m[1]} ${m[2]}${m[3]}` : l;
  });
  return `${[...out, '# EOF'].join('\n')}\n`;
}
