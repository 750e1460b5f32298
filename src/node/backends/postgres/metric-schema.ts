import type { ColumnSpec } from './column-spec.js';

/**
 * The `metric_points` table: one row per data point, keyed by its point id (its stream identity and time). The
 * point's value is `value` (sum, gauge; DOUBLE PRECISION) or the histogram / summary columns; an int64 value
 * beyond ±(2^53 - 1), which a double cannot hold, is also in `value_int` (BIGINT), exactly (`value` has it
 * rounded): `COALESCE(value_int::numeric, value::numeric)` reads every value exactly; bucket lists, exponential buckets,
 * quantiles and exemplars are JSONB arrays (bounded by the sender, read whole). Times are exact as in the other
 * tables (a `*_unix_nano` column beside a TIMESTAMPTZ only when the time has nanoseconds).
 * Indexes: the point id (unique, the ON CONFLICT target), name + time (a series over a time range), attributes
 * (GIN, jsonb_path_ops: `attributes @> '{"http.route":"/cart"}'`), and service + time.
 */
export const METRIC_COLUMNS: readonly ColumnSpec[] = [
  { name: 'point_id', type: 'TEXT' },
  { name: 'name', type: 'TEXT' },
  { name: 'description', type: 'TEXT' },
  { name: 'unit', type: 'TEXT' },
  { name: 'type', type: 'VARCHAR(24)' },
  { name: 'temporality', type: 'VARCHAR(12)' },
  { name: 'monotonic', type: 'BOOLEAN' },
  { name: 'time', type: 'TIMESTAMPTZ' },
  { name: 'time_unix_nano', type: 'NUMERIC(20,0)' },
  { name: 'start_time', type: 'TIMESTAMPTZ' },
  { name: 'start_time_unix_nano', type: 'NUMERIC(20,0)' },
  { name: 'service_name', type: 'TEXT' },
  { name: 'attributes', type: 'JSONB' },
  { name: 'resource', type: 'JSONB' },
  { name: 'scope', type: 'JSONB' },
  { name: 'resource_schema_url', type: 'TEXT' },
  { name: 'value', type: 'DOUBLE PRECISION' },
  { name: 'count', type: 'BIGINT' },
  { name: 'sum', type: 'DOUBLE PRECISION' },
  { name: 'min', type: 'DOUBLE PRECISION' },
  { name: 'max', type: 'DOUBLE PRECISION' },
  { name: 'bucket_counts', type: 'JSONB' },
  { name: 'explicit_bounds', type: 'JSONB' },
  { name: 'scale', type: 'INTEGER' },
  { name: 'zero_count', type: 'BIGINT' },
  { name: 'zero_threshold', type: 'DOUBLE PRECISION' },
  { name: 'positive', type: 'JSONB' },
  { name: 'negative', type: 'JSONB' },
  { name: 'quantiles', type: 'JSONB' },
  { name: 'exemplars', type: 'JSONB' },
  { name: 'flags', type: 'INTEGER' },
  // Last: added to an existing table by the ALTER below (start-up's catalog check sees it missing).
  { name: 'value_int', type: 'BIGINT' },
];

/** Index suffixes of the metrics table (schema.ts indexName), for the catalog check. */
export const METRIC_INDEXES = ['point_id', 'name_time', 'attributes', 'service_time'] as const;

type Idx = (table: string, suffix: string, on: string, target: string, unique?: boolean, method?: string) => string;

/** The metrics table's idempotent DDL; `table` is the bare name, `target` the qualified one. */
export function metricDdl(table: string, target: string, idx: Idx, quote: (s: string) => string): string[] {
  const columns = METRIC_COLUMNS.map((c) => `${quote(c.name)} ${c.type}${['point_id', 'name', 'type', 'time'].includes(c.name) ? ' NOT NULL' : ''}`);
  return [
    `CREATE TABLE IF NOT EXISTS ${target} (${columns.join(', ')})`,
    `ALTER TABLE ${target} ${METRIC_COLUMNS.map((c) => `ADD COLUMN IF NOT EXISTS ${quote(c.name)} ${c.type}`).join(', ')}`,
    idx(table, 'point_id', 'point_id', target, true),
    idx(table, 'name_time', '"name", "time"', target),
    idx(table, 'attributes', 'attributes jsonb_path_ops', target, false, 'USING GIN '),
    idx(table, 'service_time', 'service_name, "time"', target),
  ];
}
