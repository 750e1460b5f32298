import type { MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { MeterProvider, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Attributes } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import type { MetricsConfig } from '../config/index.js';
import { withCardinalityLimit } from './cardinality-limit.js';
import { withPrometheusUnitNames } from './prometheus-unit-names.js';
import { engineReader, type PointSink } from './engine-exporter.js';
import { ExemplarStore, withExemplars } from './exemplars.js';
import { toViewOptions } from './views.js';
import { sharedReader, type ReaderConsumer } from './shared-reader.js';
import { speedUpAttributeHashing } from './attribute-hash.js';

/** Series whose exemplars one collection keeps (memory bound: two exemplars each). */
const EXEMPLAR_SERIES = 10_000;

export interface StartedMetrics {
  /** What isotel registers globally and gives the instrumentations; undefined when `metrics.enabled` is false. */
  readonly meterProvider: ApiMeterProvider | undefined;
  /** The Prometheus metrics port, when one is served (the http instrumentation leaves its scrapes alone). */
  readonly port: number | undefined;
  /** Resolves once the Prometheus port listens (or failed to: reported on the diag channel); at once without one. */
  readonly ready: Promise<void>;
  /** Collects now and hands the points to the engine (the periodic reader's forceFlush). Never rejects. */
  flush(): Promise<void>;
  /** Ends the provider and its readers (a last collection to the engine; the Prometheus port closes). Idempotent; never rejects; at most 5 s. */
  shutdown(): Promise<void>;
}

const SHUTDOWN_TIMEOUT_MS = 5000;

/**
 * `logger.metrics`: an `@opentelemetry/sdk-metrics` MeterProvider on the process's resource (the one the
 * tracer's spans carry), each reader limited to `cardinality_limit` series per instrument. Its readers: the
 * periodic reader that hands the points to the delivery engine (`onPoints`: every `export_interval` seconds, in
 * `temporality`; engine-exporter.ts), the Prometheus exporter when `prometheus.port` is set (its HTTP server is
 * unref'd: it never keeps the process alive), or `readers` given by the caller (tests). With both, the provider
 * sees one shared reader that feeds the two (shared-reader.ts), so a measurement is aggregated once.
 */
export function startMetrics(opts: StartOptions): StartedMetrics {
  if (!opts.config.enabled) return METRICS_OFF;
  try {
    return createMetrics(opts);
  } catch (err) {
    opts.diag.error('the meter provider could not be started; metrics are off', err);
    return METRICS_OFF;
  }
}

/** No provider, no port: metrics.enabled false, register_global false, or a provider that could not start. */
export const METRICS_OFF: StartedMetrics = { meterProvider: undefined, port: undefined, ready: Promise.resolve(), flush: () => Promise.resolve(), shutdown: () => Promise.resolve() };

interface StartOptions {
  config: MetricsConfig;
  resource: Attributes;
  diag: Diag;
  /** Where each collection's metric points go (the logger's record buffer); none: no engine reader. */
  onPoints?: PointSink;
  readers?: IMetricReader[];
}

function createMetrics(opts: StartOptions): StartedMetrics {
  const { config, diag } = opts;
  if (!speedUpAttributeHashing()) diag.debug('@opentelemetry/sdk-metrics is not the build isotel speeds up (attribute-hash.ts): each measurement costs ~1 µs');
  let ready: Promise<void> = Promise.resolve();
  let readers = opts.readers;
  let port: number | undefined;
  let exemplars: ExemplarStore | undefined;
  if (readers === undefined) {
    port = config.prometheus.port;
    const consumers: ReaderConsumer[] = [];
    if (opts.onPoints) {
      exemplars = new ExemplarStore(EXEMPLAR_SERIES);
      const reader = engineReader({ sink: opts.onPoints, temporality: config.temporality, intervalSeconds: config.export_interval, diag, exemplars });
      consumers.push({ reader, temporality: config.temporality });
    }
    if (port !== undefined) {
      const served = prometheusReader(config.prometheus.host, port, diag);
      consumers.push({ reader: served.reader, temporality: 'cumulative' });
      ready = served.ready;
    }
    // one registered reader, so each measurement is aggregated once (shared-reader.ts)
    readers = consumers.length > 1 ? [sharedReader(consumers)] : consumers.map((c) => c.reader);
  }
  const meterProvider = new MeterProvider({
    resource: resourceFromAttributes(primitives(opts.resource)),
    readers: readers.map((r) => withCardinalityLimit(r, config.cardinality_limit)),
    views: toViewOptions(config.views),
  });
  let done: Promise<void> | undefined;
  return {
    meterProvider: exemplars ? withExemplars(meterProvider, exemplars) : meterProvider,
    port,
    ready,
    flush: () => (done ? Promise.resolve() : meterProvider.forceFlush().catch((err: unknown) => diag.error('collecting the metrics failed', err))),
    shutdown: () => (done ??= boundedShutdown(meterProvider, diag)),
  };
}

/** The resource's attributes as OpenTelemetry takes them (isotel's resource holds only strings and numbers). */
function primitives(attrs: Attributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(attrs)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}

/** The exporter listens as soon as it is created; a port it cannot take is reported, and nothing else fails. */
function prometheusReader(host: string, port: number, diag: Diag): { reader: IMetricReader; ready: Promise<void> } {
  let settle: () => void = () => {};
  const ready = new Promise<void>((resolve) => (settle = resolve));
  const reader = new PrometheusExporter({ host, port }, (err) => {
    if (err) diag.error(`logger.metrics.prometheus: cannot listen on ${host}:${port}; the app's metrics are not served`, err);
    else diag.debug(`metrics served for Prometheus at http://${host}:${port}/metrics`);
    settle();
  });
  return { reader: withPrometheusUnitNames(reader), ready };
}

async function boundedShutdown(provider: MeterProvider, diag: Diag): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), SHUTDOWN_TIMEOUT_MS);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([provider.shutdown().then(() => 'done' as const), timeout]);
    if (outcome === 'timeout') diag.warn(`the meter provider did not shut down within ${SHUTDOWN_TIMEOUT_MS} ms (a scrape still open?); leaving it`);
  } catch (err) {
    diag.error('shutting the meter provider down failed', err);
  } finally {
    clearTimeout(timer);
  }
}
