import { z } from 'zod';
import { strict } from './strict.js';

/**
 * `logger.metrics`: the OpenTelemetry metrics API in a Node process. isotel registers an
 * `@opentelemetry/sdk-metrics` MeterProvider as the API's global (under `logger.tracing.register_global`, like
 * the tracer and logger providers) and, when `prometheus.port` is set, serves its metrics for scraping.
 */
const PrometheusSchema = strict({
  port: z
    .int()
    .min(1)
    .max(65_535)
    .optional()
    .describe("Serve the app's metrics in the Prometheus text format at http://<host>:<port>/metrics. Unset (the default): no port is opened."),
  host: z.string().min(1).default('127.0.0.1').describe('The address the metrics port listens on (0.0.0.0 or :: for every interface).'),
}).describe("A Prometheus scrape endpoint for the app's own metrics (names and units translated as the OpenTelemetry Prometheus compatibility spec says: _total, unit suffixes, target_info).");

export const MetricsSchema = strict({
  enabled: z
    .boolean()
    .default(true)
    .describe('Register the meter provider, so @opentelemetry/api meters and the enabled instrumentations (e.g. http.server.request.duration) record. false: no provider, no port.'),
  cardinality_limit: z
    .int()
    .min(2)
    .max(1_000_000)
    .default(2000)
    .describe('Series (distinct attribute sets) kept per instrument; beyond it points go to one overflow series with otel.metric.overflow=true, as the OpenTelemetry spec says.'),
  export_interval: z
    .number()
    .min(0.1)
    .max(86_400)
    .default(60)
    .describe(
      'Seconds between collections of the meter provider into the delivery engine (metric points to the backends, like log records and spans); OTEL_METRIC_EXPORT_INTERVAL (milliseconds) sets it too. flush() and close() collect at once.',
    ),
  temporality: z
    .enum(['cumulative', 'delta'])
    .default('cumulative')
    .describe('The aggregation temporality of the points sent to the backends (sums and histograms); the Prometheus port is always cumulative.'),
  prometheus: PrometheusSchema.prefault({}),
});

export type MetricsConfig = z.output<typeof MetricsSchema>;
