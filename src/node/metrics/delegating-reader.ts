import type { IMetricReader } from '@opentelemetry/sdk-metrics';

/**
 * A metric reader that is `reader` except for the methods in `overrides`: how isotel adds a cardinality limit
 * or name translation to a reader from a library without subclassing it (the MeterProvider sees only this).
 */
export function delegatingReader(reader: IMetricReader, overrides: Partial<IMetricReader>): IMetricReader {
  return {
    setMetricProducer: overrides.setMetricProducer ?? ((producer) => reader.setMetricProducer(producer)),
    selectAggregation: overrides.selectAggregation ?? ((type) => reader.selectAggregation(type)),
    selectAggregationTemporality: overrides.selectAggregationTemporality ?? ((type) => reader.selectAggregationTemporality(type)),
    selectCardinalityLimit: overrides.selectCardinalityLimit ?? ((type) => reader.selectCardinalityLimit(type)),
    collect: overrides.collect ?? ((options) => reader.collect(options)),
    shutdown: overrides.shutdown ?? ((options) => reader.shutdown(options)),
    forceFlush: overrides.forceFlush ?? ((options) => reader.forceFlush(options)),
  };
}
