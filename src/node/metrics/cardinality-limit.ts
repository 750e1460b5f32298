import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import { delegatingReader } from './delegating-reader.js';

/**
 * `reader`, with `limit` series per instrument. sdk-metrics takes the limit from the reader
 * (`selectCardinalityLimit`, default 2,000) or from a view; the Prometheus exporter accepts no selector, and a
 * catch-all view would add a second stream beside every view the app configures, so the reader is wrapped
 * instead. Past the limit sdk-metrics aggregates into one series with `otel.metric.overflow=true` (the
 * OpenTelemetry spec's overflow series).
 */
export function withCardinalityLimit(reader: IMetricReader, limit: number): IMetricReader {
  return delegatingReader(reader, { selectCardinalityLimit: () => limit });
}
