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

const INSTRUMENT_TYPES = ['counter', 'up_down_counter', 'histogram', 'gauge', 'observable_counter', 'observable_up_down_counter', 'observable_gauge'] as const;

const AggregationSchema = z
  .discriminatedUnion('type', [
    strict({ type: z.literal('default') }),
    strict({ type: z.literal('drop') }),
    strict({ type: z.literal('sum') }),
    strict({ type: z.literal('last_value') }),
    strict({
      type: z.literal('explicit_bucket_histogram'),
      boundaries: z
        .array(z.number())
        .refine((b) => b.every((x, i) => i === 0 || x > b[i - 1]), 'boundaries must be in increasing order')
        .optional()
        .describe('Bucket upper bounds, increasing. Unset: the OpenTelemetry defaults (0, 5, 10, 25, ... 10000).'),
      record_min_max: z.boolean().default(true).describe('Keep each point\'s min and max.'),
    }),
    strict({
      type: z.literal('exponential_histogram'),
      max_size: z.int().min(2).max(16_384).default(160).describe('Buckets per sign (positive, negative).'),
      record_min_max: z.boolean().default(true).describe('Keep each point\'s min and max.'),
    }),
  ])
  .describe('How the selected instruments aggregate: default, drop (record nothing), sum, last_value, explicit_bucket_histogram, exponential_histogram.');

/** An OpenTelemetry view: instruments selected by name (wildcards * and ?), type, meter; what their streams become. */
const ViewSchema = strict({
  instrument_name: z.string().min(1).optional().describe('Instruments of this name; * and ? are wildcards ("http.*").'),
  instrument_type: z.enum(INSTRUMENT_TYPES).optional().describe('Instruments of this type.'),
  instrument_unit: z.string().optional().describe('Instruments of this unit.'),
  meter_name: z.string().min(1).optional().describe('Instruments of the meter (instrumentation scope) of this name.'),
  meter_version: z.string().min(1).optional().describe('... and of this version.'),
  name: z.string().min(1).optional().describe('The stream\'s new name (only for a view that selects one instrument: no wildcard in instrument_name).'),
  description: z.string().optional().describe('The stream\'s new description.'),
  attribute_keys: z.array(z.string().min(1)).optional().describe('Keep only these attribute keys (the others are dropped before aggregation, merging their series).'),
  aggregation: AggregationSchema.optional(),
  cardinality_limit: z.int().min(2).max(1_000_000).optional().describe("Series kept for this stream (default: metrics.cardinality_limit)."),
})
  .refine((v) => v.instrument_name !== undefined || v.instrument_type !== undefined || v.instrument_unit !== undefined || v.meter_name !== undefined, {
    message: 'a view needs a selector: instrument_name, instrument_type, instrument_unit or meter_name',
  })
  .refine((v) => v.name === undefined || (v.instrument_name !== undefined && !/[*?]/.test(v.instrument_name)), {
    message: 'a view with a name must select one instrument: an instrument_name without * or ?',
    path: ['name'],
  });

export type ViewConfig = z.output<typeof ViewSchema>;

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
  views: z
    .array(ViewSchema)
    .default([])
    .describe(
      'OpenTelemetry views, applied to every reader: rename a stream, keep only some attribute keys, change the aggregation (e.g. histogram boundaries) or drop instruments. An instrument no view selects keeps its defaults.',
    ),
});

export type MetricsConfig = z.output<typeof MetricsSchema>;
