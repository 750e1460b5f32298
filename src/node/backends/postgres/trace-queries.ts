import type { Pool } from 'pg';
import type { TraceResult, TraceSummary } from '../types.js';
import { errorFacts } from './errors.js';
import { LOG_SELECT, rowToLog, rowToSpan, SPAN_SELECT } from './rows.js';

/** The query API's reads: the most recent traces, and every log and span of one trace. */
export interface TraceTables {
  /** Schema-qualified, quoted. */
  logs: string;
  spans: string;
}

interface TraceSummaryRow {
  trace_id: string;
  start_time: Date;
  end_time: Date;
  span_count: number;
  root_name: string;
  services: string[];
  error: boolean;
}

export async function listTraces(pool: Pool, tables: TraceTables, limit: number): Promise<TraceSummary[]> {
  try {
    const r = await pool.query(
      `SELECT trace_id, min(start_time) AS start_time, max(end_time) AS end_time, count(*)::int AS span_count,
              (array_agg(name ORDER BY (parent_span_id IS NOT NULL), start_time))[1] AS root_name,
              array_remove(array_agg(DISTINCT service_name), NULL) AS services, bool_or(status_code = 'ERROR') AS error
         FROM ${tables.spans} GROUP BY trace_id ORDER BY min(start_time) DESC LIMIT $1`,
      [limit],
    );
    return r.rows.map((row: TraceSummaryRow) => ({
      trace_id: row.trace_id,
      start_time: row.start_time.toISOString(),
      duration_ms: row.end_time.getTime() - row.start_time.getTime(),
      span_count: row.span_count,
      root_name: row.root_name,
      services: row.services,
      error: row.error,
    }));
  } catch (err) {
    throw new Error(`postgres backend: listing traces failed: ${errorFacts(err).message}`);
  }
}

export async function getTrace(pool: Pool, tables: TraceTables, traceId: string): Promise<TraceResult> {
  try {
    const [l, s] = await Promise.all([
      pool.query(`SELECT ${LOG_SELECT} FROM ${tables.logs} AS t WHERE t.trace_id = $1 ORDER BY t."timestamp", t.time_unix_nano NULLS FIRST, t.id`, [traceId]),
      pool.query(`SELECT ${SPAN_SELECT} FROM ${tables.spans} AS t WHERE t.trace_id = $1 ORDER BY t.start_time, t.start_time_unix_nano NULLS FIRST, t.span_id`, [traceId]),
    ]);
    return { logs: l.rows.map(rowToLog), spans: s.rows.map(rowToSpan) };
  } catch (err) {
    throw new Error(`postgres backend: reading trace ${traceId} failed: ${errorFacts(err).message}`);
  }
}
