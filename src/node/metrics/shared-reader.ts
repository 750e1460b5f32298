import { AggregationTemporality, type IMetricReader, type MetricProducer } from '@opentelemetry/sdk-metrics';
import type { MetricTemporality } from './engine-exporter.js';
import { deltaProducer } from './to-delta.js';

/** A reader the shared reader feeds, and the temporality it wants its points in. */
export interface ReaderConsumer {
  readonly reader: IMetricReader;
  readonly temporality: MetricTemporality;
}

/**
 * The one reader isotel registers with the MeterProvider when several readers want the same measurements (the
 * engine's periodic reader and the Prometheus port). sdk-metrics keeps one aggregation per registered reader
 * and updates each on every `add`/`record`, so two readers made the hot path 0.53x plain sdk-metrics; with
 * this one, a measurement is aggregated once (bench/metrics.mjs: counter.add 3 attributes, see the commit).
 *
 * The consumers are not registered with the provider: each gets, as its metric producer, the shared
 * aggregation read in cumulative temporality (each still collects when it needs to: the periodic reader on
 * its timer, Prometheus on a scrape). A consumer that wants delta gets a producer that subtracts its previous
 * collection from the cumulative one (to-delta.ts), which is what sdk-metrics itself does for a delta reader,
 * except that a delta histogram's min/max are known only when the interval set a new one (see to-delta.ts).
 * forceFlush and shutdown go to every consumer (the periodic reader's last export happens there).
 */
export function sharedReader(consumers: readonly ReaderConsumer[]): IMetricReader {
  let producer: MetricProducer | undefined;
  const all = <T>(fn: (r: IMetricReader) => Promise<T>) => Promise.all(consumers.map((c) => fn(c.reader))).then(() => undefined);
  return {
    setMetricProducer(p) {
      producer = p;
      for (const c of consumers) c.reader.setMetricProducer(c.temporality === 'delta' ? deltaProducer(p) : p);
    },
    selectAggregation: (type) => consumers[0].reader.selectAggregation(type),
    selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
    selectCardinalityLimit: (type) => consumers[0].reader.selectCardinalityLimit(type),
    collect(options) {
      if (producer === undefined) return Promise.reject(new Error('the shared metric reader is not bound to a MeterProvider'));
      return producer.collect(options);
    },
    shutdown: (options) => all((r) => r.shutdown(options)),
    forceFlush: (options) => all((r) => r.forceFlush(options)),
  };
}
