import type { MetricPoint } from '../../../shared/model.js';
import { cleanText, jsonText, type Repairs } from './clean.js';
import { opt, optText, serviceName, timeCells, type Cell } from './rows.js';

/** A metric point as a row in METRIC_COLUMNS order (metric-schema.ts). */
export function pointToRow(p: MetricPoint, r: Repairs, shared: (o: object) => string = (o) => jsonText(o, r)): Cell[] {
  const [time, timeNanos] = timeCells(p.time);
  const [start, startNanos] = p.start_time === undefined ? [null, null] : timeCells(p.start_time);
  const json = (v: unknown): Cell => (v === undefined ? null : jsonText(v, r));
  return [
    cleanText(p.point_id, r),
    cleanText(p.name, r),
    optText(p.description, r),
    optText(p.unit, r),
    p.type,
    opt(p.temporality),
    p.monotonic === undefined ? null : String(p.monotonic),
    time,
    timeNanos,
    start,
    startNanos,
    serviceName(p.resource),
    jsonText(p.attributes, r),
    shared(p.resource),
    shared(p.scope),
    optText(p.resource_schema_url, r),
    opt(p.value),
    opt(p.count),
    opt(p.sum),
    opt(p.min),
    opt(p.max),
    json(p.bucket_counts),
    json(p.explicit_bounds),
    opt(p.scale),
    opt(p.zero_count),
    opt(p.zero_threshold),
    json(p.positive),
    json(p.negative),
    json(p.quantiles),
    json(p.exemplars),
    opt(p.flags),
    typeof p.value === 'string' ? p.value : null,
  ];
}
