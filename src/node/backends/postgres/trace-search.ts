import type { Pool } from 'pg';
import { SPAN_KINDS } from '../../../shared/model.js';
import { groupTraces, microsToIso, sortOperations, type OperationName, type TraceFilter, type TraceSearch } from '../trace-search.js';
import { errorFacts } from './errors.js';
import { findLogs } from './log-search.js';
import { findMetrics } from './metric-search.js';
import { rowToSpan, SPAN_SELECT } from './rows.js';
import type { TraceTables } from './trace-queries.js';

/**
 * The Jaeger query API's search (semantics in ../trace-search.ts) in SQL. The trace search is one query for
 * the trace ids (the (service_name, start_time) index narrows it to the service and time range; the other
 * conditions filter those rows) and one for their spans (the primary key's trace_id prefix). The log search is
 * log-search.ts.
 */
export function postgresSearch(pool: Pool, tables: TraceTables & { metrics: string }): TraceSearch {
  const run = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw new Error(`postgres backend: ${what} failed: ${errorFacts(err).message}`);
    }
  };
  return {
    services: () =>
      run('listing services', async () => {
        const r = await pool.query(`SELECT DISTINCT service_name FROM ${tables.spans} WHERE service_name IS NOT NULL`);
        return r.rows.map((row: { service_name: string }) => row.service_name).sort();
      }),
    operations: (service, kind) =>
      run('listing operations', async () => {
        const r = await pool.query(
          `SELECT DISTINCT name, kind FROM ${tables.spans} WHERE service_name = $1 AND ($2::text IS NULL OR kind = $2)`,
          [service, kind ?? null],
        );
        return sortOperations(r.rows as OperationName[]);
      }),
    findTraces: (filter) =>
      run('searching traces', async () => {
        const { sql, params } = traceIdQuery(tables.spans, filter);
        const ids = (await pool.query(sql, params)).rows.map((row: { trace_id: string }) => row.trace_id);
        if (ids.length === 0) return [];
        const s = await pool.query(`SELECT ${SPAN_SELECT} FROM ${tables.spans} AS t WHERE t.trace_id = ANY($1)`, [ids]);
        return groupTraces(ids, s.rows.map(rowToSpan));
      }),
    findLogs: (filter) => findLogs(pool, tables.logs, filter),
    findMetrics: (filter) => findMetrics(pool, tables.metrics, filter),
  };
}

/** The ids of the traces with a span matching the filter, newest first. Exported for its unit test. */
export function traceIdQuery(spans: string, f: TraceFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = [`t.service_name = ${p(f.service)}`, `t.start_time >= ${p(microsToIso(f.startMinUs))}::timestamptz`, `t.start_time <= ${p(microsToIso(f.startMaxUs))}::timestamptz`];
  if (f.operation !== undefined) where.push(`t.name = ${p(f.operation)}`);
  if (f.durationMinMs !== undefined) where.push(`t.duration_ms >= ${p(f.durationMinMs)}`);
  if (f.durationMaxMs !== undefined) where.push(`t.duration_ms <= ${p(f.durationMaxMs)}`);
  for (const [key, value] of Object.entries(f.tags)) where.push(tagCondition(p(key), p(value), key, value, p));
  const sql =
    `SELECT t.trace_id, max(t.start_time) AS latest FROM ${spans} AS t WHERE ${where.join(' AND ')} ` +
    `GROUP BY t.trace_id ORDER BY latest DESC, t.trace_id COLLATE "C" LIMIT ${p(f.limit)}`;
  return { sql, params };
}

const SCALAR = `IN ('string', 'number', 'boolean')`;

/** A span attribute or resource attribute with that scalar value, or the tag derived from kind or status. */
function tagCondition(k: string, v: string, key: string, value: string, p: (v: unknown) => string): string {
  const alternatives = [
    `(t.attributes ->> ${k} = ${v} AND jsonb_typeof(t.attributes -> ${k}) ${SCALAR})`,
    `(t.resource ->> ${k} = ${v} AND jsonb_typeof(t.resource -> ${k}) ${SCALAR})`,
  ];
  const kind = SPAN_KINDS.find((c) => c !== 'UNSPECIFIED' && c.toLowerCase() === value);
  if (key === 'error' && value === 'true') alternatives.push(`t.status_code = 'ERROR'`);
  if (key === 'span.kind' && kind) alternatives.push(`t.kind = ${p(kind)}`);
  if (key === 'otel.status_code' && (value === 'OK' || value === 'ERROR')) alternatives.push(`t.status_code = ${v}`);
  if (key === 'otel.status_description' && value !== '') alternatives.push(`t.status_message = ${v}`);
  return `(${alternatives.join(' OR ')})`;
}
