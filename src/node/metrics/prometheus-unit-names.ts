import { DataPointType, type IMetricReader, type MetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { delegatingReader } from './delegating-reader.js';

/**
 * The OpenTelemetry Prometheus compatibility spec's unit suffixes (`http.server.request.duration`, unit `s` →
 * `http_server_request_duration_seconds`), which `@opentelemetry/exporter-prometheus` 0.223 does not add (it
 * adds `_total` and `target_info`, and prints the unit in a `# UNIT` comment). The reader's producer is wrapped,
 * so the exporter serializes names that already carry the suffix; only the Prometheus reader gets this.
 */
export function withPrometheusUnitNames(reader: IMetricReader): IMetricReader {
  return delegatingReader(reader, { setMetricProducer: (producer) => reader.setMetricProducer(suffixingProducer(producer)) });
}

function suffixingProducer(producer: MetricProducer): MetricProducer {
  return {
    async collect(options) {
      const result = await producer.collect(options);
      const rm = result.resourceMetrics;
      const scopeMetrics = rm.scopeMetrics.map((sm) => ({ ...sm, metrics: sm.metrics.map(withUnitName) }));
      return { ...result, resourceMetrics: { ...rm, scopeMetrics } };
    },
  };
}

function withUnitName(metric: MetricData): MetricData {
  const gauge = metric.dataPointType === DataPointType.GAUGE;
  const suffix = prometheusUnitSuffix(metric.descriptor.unit, gauge);
  const name = metric.descriptor.name;
  if (suffix === '' || name.endsWith(`_${suffix}`) || name.endsWith(`.${suffix}`)) return metric;
  return { ...metric, descriptor: { ...metric.descriptor, name: `${name}_${suffix}` } } as MetricData;
}

const UNITS: Readonly<Record<string, string>> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes',
  KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams',
  Cel: 'celsius', Hz: 'hertz', '%': 'percent', $: 'dollars',
};

/**
 * The suffix for a UCUM unit: `s` → `seconds`, `By/s` → `bytes_per_second`, `1` → `ratio` on a gauge only;
 * `{request}` annotations are dropped; a unit the table does not know is kept as written (sanitized later).
 */
export function prometheusUnitSuffix(unit: string, gauge: boolean): string {
  const bare = unit.replace(/\{[^}]*\}/g, '').trim();
  if (bare === '') return '';
  if (bare === '1') return gauge ? 'ratio' : '';
  const [num, per] = bare.split('/', 2);
  const word = (u: string) => UNITS[u] ?? u;
  const singular = (u: string) => (UNITS[u] ?? u).replace(/s$/, '');
  if (per === undefined) return word(num);
  if (per === '') return '';
  return num === '' ? `per_${singular(per)}` : `${word(num)}_per_${singular(per)}`;
}
