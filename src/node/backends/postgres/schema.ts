import { FULL_TEXT_CHARS } from '../log-search.js';
import { METRIC_INDEXES, metricDdl } from './metric-schema.js';
import type { ColumnSpec } from './column-spec.js';

/**
 * The PostgreSQL tables (DDL text only; src/node/backends/postgres/setup.ts runs it).
 *
 * `otel_logs` keeps the original framework's columns and indexes (so a table it created keeps working: the
 * new columns are added with ADD COLUMN IF NOT EXISTS) with one change: `id` is BIGSERIAL instead of SERIAL,
 * since a log table passes 2^31 rows in production. `otel_spans` is keyed by (trace_id, span_id).
 *
 * Exact timestamps: TIMESTAMPTZ holds microseconds. A record timestamp with nanoseconds (nine fraction
 * digits) stores its microseconds (truncated) in the TIMESTAMPTZ column and the whole value, as nanoseconds
 * since the epoch, in the nullable `*_unix_nano` NUMERIC column next to it; that column stays NULL for the
 * usual six-digit timestamps, so it costs nothing in the common case.
 *
 * Schema URLs: the ResourceLogs/ResourceSpans one is the `resource_schema_url` column (the resource column
 * holds attributes only); the scope's is `schema_url` inside the scope JSONB. A table from an earlier
 * version gets the column added at start-up (ADD COLUMN IF NOT EXISTS, like every column after the first).
 */

/**
 * The text the logs query's full-text search reads: the first FULL_TEXT_CHARS characters of the body column
 * (a longer tsvector, over 1 MB, would make PostgreSQL refuse the row). Two-argument to_tsvector is immutable.
 */
export const BODY_TSVECTOR = `to_tsvector('simple', left(body, ${FULL_TEXT_CHARS}))`;

export type { ColumnSpec } from './column-spec.js';

/** The columns isotel writes to the logs table, in row order (rows.ts produces values in this order). */
export const LOG_COLUMNS: readonly ColumnSpec[] = [
  { name: 'record_id', type: 'TEXT' },
  { name: 'timestamp', type: 'TIMESTAMPTZ' },
  { name: 'time_unix_nano', type: 'NUMERIC(20,0)' },
  { name: 'observed_timestamp', type: 'TIMESTAMPTZ' },
  { name: 'observed_time_unix_nano', type: 'NUMERIC(20,0)' },
  { name: 'severity_text', type: 'VARCHAR(20)' },
  { name: 'severity_number', type: 'INTEGER' },
  { name: 'body', type: 'TEXT' },
  { name: 'body_json', type: 'JSONB' },
  { name: 'trace_id', type: 'VARCHAR(32)' },
  { name: 'span_id', type: 'VARCHAR(16)' },
  { name: 'trace_flags', type: 'INTEGER' },
  { name: 'event_name', type: 'TEXT' },
  { name: 'service_name', type: 'TEXT' },
  { name: 'resource', type: 'JSONB' },
  { name: 'attributes', type: 'JSONB' },
  { name: 'scope', type: 'JSONB' },
  { name: 'dropped_attributes_count', type: 'INTEGER' },
  { name: 'resource_schema_url', type: 'TEXT' },
];

/** The original framework's columns; every other LOG_COLUMNS entry is added to an existing table when missing. */
const ORIGINAL_LOG_COLUMNS = new Set(['timestamp', 'severity_text', 'severity_number', 'body', 'trace_id', 'span_id', 'resource', 'attributes']);

export const SPAN_COLUMNS: readonly ColumnSpec[] = [
  { name: 'trace_id', type: 'VARCHAR(32)' },
  { name: 'span_id', type: 'VARCHAR(16)' },
  { name: 'parent_span_id', type: 'VARCHAR(16)' },
  { name: 'trace_state', type: 'TEXT' },
  { name: 'flags', type: 'INTEGER' },
  { name: 'name', type: 'TEXT' },
  { name: 'kind', type: 'VARCHAR(16)' },
  { name: 'start_time', type: 'TIMESTAMPTZ' },
  { name: 'start_time_unix_nano', type: 'NUMERIC(20,0)' },
  { name: 'end_time', type: 'TIMESTAMPTZ' },
  { name: 'end_time_unix_nano', type: 'NUMERIC(20,0)' },
  { name: 'duration_ms', type: 'DOUBLE PRECISION' },
  { name: 'status_code', type: 'VARCHAR(8)' },
  { name: 'status_message', type: 'TEXT' },
  { name: 'attributes', type: 'JSONB' },
  { name: 'events', type: 'JSONB' },
  { name: 'links', type: 'JSONB' },
  { name: 'resource', type: 'JSONB' },
  { name: 'scope', type: 'JSONB' },
  { name: 'service_name', type: 'TEXT' },
  { name: 'dropped_attributes_count', type: 'INTEGER' },
  { name: 'dropped_events_count', type: 'INTEGER' },
  { name: 'dropped_links_count', type: 'INTEGER' },
  { name: 'resource_schema_url', type: 'TEXT' },
];

export interface TableNames {
  schema: string;
  logs: string;
  spans: string;
  metrics: string;
}

/** `"name"`: identifiers are validated in config.ts and quoted anyway. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** `idx_<table>_<suffix>`, kept under 63 bytes with a hash so two long names cannot truncate to the same one. */
export function indexName(table: string, suffix: string): string {
  const name = `idx_${table}_${suffix}`;
  if (name.length <= 63) return name;
  return `${name.slice(0, 54)}_${fnv1a(name)}`;
}

/** 8 hex characters of FNV-1a: short, stable names derived from longer ones. */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Every index isotel expects, by table, for the catalog check that lets a complete set-up skip DDL. */
export function expectedIndexes(n: TableNames): { table: string; index: string }[] {
  return [
    ...['record_id', 'timestamp', 'trace_time', 'severity', 'service_name', 'service_time', 'body_fts'].map((s) => ({ table: n.logs, index: indexName(n.logs, s) })),
    ...['start_time', 'service_name', 'service_start'].map((s) => ({ table: n.spans, index: indexName(n.spans, s) })),
    ...METRIC_INDEXES.map((s) => ({ table: n.metrics, index: indexName(n.metrics, s) })),
  ];
}

/** The idempotent DDL, in order. Run under an advisory lock: concurrent CREATE TABLE IF NOT EXISTS can collide. */
export function ddlStatements(n: TableNames): string[] {
  const logs = qualified(n.schema, n.logs);
  const spans = qualified(n.schema, n.spans);
  const added = LOG_COLUMNS.filter((c) => !ORIGINAL_LOG_COLUMNS.has(c.name));
  const logColumns = LOG_COLUMNS.map((c) => `${quoteIdent(c.name)} ${c.type}${c.name === 'record_id' ? ' NOT NULL' : ''}`);
  const spanColumns = SPAN_COLUMNS.map((c) => `${quoteIdent(c.name)} ${c.type}${c.name === 'trace_id' || c.name === 'span_id' ? ' NOT NULL' : ''}`);
  const idx = (table: string, suffix: string, on: string, target: string, unique = false, method = '') =>
    `CREATE ${unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdent(indexName(table, suffix))} ON ${target} ${method}(${on})`;
  return [
    `CREATE TABLE IF NOT EXISTS ${logs} (id BIGSERIAL PRIMARY KEY, ${logColumns.join(', ')})`,
    // A table created by the original framework has only its eight columns: add ours (nullable there,
    // since its old rows have no record_id; the unique index still makes ON CONFLICT (record_id) work).
    `ALTER TABLE ${logs} ${added.map((c) => `ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${c.type}`).join(', ')}`,
    idx(n.logs, 'record_id', 'record_id', logs, true),
    idx(n.logs, 'timestamp', '"timestamp"', logs),
    // A trace's records in time order (getTrace, the logs query by trace id): with trace_id alone the planner
    // may walk the timestamp index instead, when its statistics predate a bulk load (6.3 s against 0.1 ms
    // on 2,000,000 rows: `npm run bench -- --only=explorer`). This index replaces the trace_id one.
    idx(n.logs, 'trace_time', 'trace_id, "timestamp"', logs),
    `DROP INDEX IF EXISTS ${qualified(n.schema, indexName(n.logs, 'trace_id'))}`,
    idx(n.logs, 'severity', 'severity_text', logs),
    idx(n.logs, 'service_name', 'service_name', logs),
    // The logs query (postgres/log-search.ts): one service's newest records, and the full-text search over
    // string bodies (the query repeats this expression, BODY_TSVECTOR, for the index to apply).
    idx(n.logs, 'service_time', 'service_name, "timestamp"', logs),
    idx(n.logs, 'body_fts', BODY_TSVECTOR, logs, false, 'USING GIN '),
    `CREATE TABLE IF NOT EXISTS ${spans} (${spanColumns.join(', ')}, PRIMARY KEY (trace_id, span_id))`,
    `ALTER TABLE ${spans} ${SPAN_COLUMNS.map((c) => `ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${c.type}`).join(', ')}`,
    idx(n.spans, 'start_time', 'start_time', spans),
    idx(n.spans, 'service_name', 'service_name', spans),
    // The Jaeger trace search: one service's spans in a time range (postgres/trace-search.ts).
    idx(n.spans, 'service_start', 'service_name, start_time', spans),
    ...metricDdl(n.metrics, qualified(n.schema, n.metrics), idx, quoteIdent),
  ];
}

/** The per-connection staging table for COPY: same columns, no constraints, emptied at every commit. */
export function stagingTable(target: string, columns: readonly ColumnSpec[]): { name: string; ddl: string } {
  const name = `pg_temp.${quoteIdent(`isotel_stage_${fnv1a(target)}`)}`;
  const cols = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
  return { name, ddl: `CREATE TEMP TABLE IF NOT EXISTS ${name} (${cols}) ON COMMIT DELETE ROWS` };
}
