import { AggregationType, createAllowListAttributesProcessor, InstrumentType, type AggregationOption, type ViewOptions } from '@opentelemetry/sdk-metrics';
import type { ViewConfig } from '../config/index.js';

const INSTRUMENT_TYPES: Record<NonNullable<ViewConfig['instrument_type']>, InstrumentType> = {
  counter: InstrumentType.COUNTER,
  up_down_counter: InstrumentType.UP_DOWN_COUNTER,
  histogram: InstrumentType.HISTOGRAM,
  gauge: InstrumentType.GAUGE,
  observable_counter: InstrumentType.OBSERVABLE_COUNTER,
  observable_up_down_counter: InstrumentType.OBSERVABLE_UP_DOWN_COUNTER,
  observable_gauge: InstrumentType.OBSERVABLE_GAUGE,
};

/** The OpenTelemetry SDK spec's default explicit bucket boundaries. */
const DEFAULT_BOUNDARIES = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

function aggregation(a: NonNullable<ViewConfig['aggregation']>): AggregationOption {
  switch (a.type) {
    case 'default':
      return { type: AggregationType.DEFAULT };
    case 'drop':
      return { type: AggregationType.DROP };
    case 'sum':
      return { type: AggregationType.SUM };
    case 'last_value':
      return { type: AggregationType.LAST_VALUE };
    case 'explicit_bucket_histogram':
      return { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: a.boundaries ?? DEFAULT_BOUNDARIES, recordMinMax: a.record_min_max } };
    case 'exponential_histogram':
      return { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: a.max_size, recordMinMax: a.record_min_max } };
  }
}

/** `logger.metrics.views` (validated config) as `@opentelemetry/sdk-metrics` view options, in order. */
export function toViewOptions(views: readonly ViewConfig[]): ViewOptions[] {
  return views.map((v) => {
    const o: ViewOptions = {};
    if (v.instrument_name !== undefined) o.instrumentName = v.instrument_name;
    if (v.instrument_type !== undefined) o.instrumentType = INSTRUMENT_TYPES[v.instrument_type];
    if (v.instrument_unit !== undefined) o.instrumentUnit = v.instrument_unit;
    if (v.meter_name !== undefined) o.meterName = v.meter_name;
    if (v.meter_version !== undefined) o.meterVersion = v.meter_version;
    if (v.name !== undefined) o.name = v.name;
    if (v.description !== undefined) o.description = v.description;
    if (v.attribute_keys !== undefined) o.attributesProcessors = [createAllowListAttributesProcessor(v.attribute_keys)];
    if (v.aggregation !== undefined) o.aggregation = aggregation(v.aggregation);
    if (v.cardinality_limit !== undefined) o.aggregationCardinalityLimit = v.cardinality_limit;
    return o;
  });
}
