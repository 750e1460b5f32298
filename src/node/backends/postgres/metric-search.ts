import type { Pool } from 'pg';
import type { MetricPoint } from '../../../shared/model.js';
import { nanosToIso } from '../../../shared/time.js';
import { MAX_SCAN_POINTS, type MetricFilter, type MetricPoints } from '../metric-search.js';
import { microsToIso } from '../trace-search.js';
import { errorFacts } from './errors.js';

/**
 * The metrics query's points (semantics in ../metric-search.ts) in one SQL query: `name = $1` and the time range
 * on the (name, time) index, each attribute as `attributes @> {"key": value}` on the GIN (jsonb_path_ops) index,
 * ordered by time, at most MAX_SCAN_POINTS + 1 rows. The value of a `key=value` condition is the string, or
 * also the number or boolean it reads as (`code=200` matches `"200"` and `200`), as the other backends compare
 * scalar text. Grouping and bucketing happen in metric-search.ts, as for every backend.
 */
export async function findMetrics(pool: Pool, table: string, f: MetricFilter, max = MAX_SCAN_POINTS): Promise<MetricPoints> {
  try {
    const { sql, params } = metricQuery(table, f, max + 1);
    const points = (await pool.query(sql, params)).rows.map(rowToPoint);
    return { points: points.slice(0, max), more: points.length > max };
  } catch (err) {
    throw new Error(`postgres backend: querying metrics failed: ${errorFacts(err).message}`);
  }
}

const SELECT = [
  'point_id', 'name', 'unit', 'type', 'temporality', 'time', 'time_unix_nano', 'attributes', 'service_name', 'value', 'count', 'sum',
  'min', 'max', 'bucket_counts', 'explicit_bounds', 'scale', 'zero_count', 'positive', 'negative', 'quantiles', 'value_int',
].map((c) => (c === 'time' ? `to_char(t."time" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "time"` : `t."${c}"`)).join(', ');

/** The query and its parameters. Exported for its unit test and the EXPLAIN in docs/query-plans.md. */
export function metricQuery(table: string, f: MetricFilter, limit: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = [`t.name = ${p(f.name)}`, `t."time" >= ${p(microsToIso(f.startUs))}::timestamptz`, `t."time" <= ${p(microsToIso(f.endUs))}::timestamptz`];
  for (const [key, value] of Object.entries(f.attributes)) {
    const alternatives = typedValues(value).map((v) => `t.attributes @> ${p(JSON.stringify({ [key]: v }))}::jsonb`);
    where.push(alternatives.length === 1 ? alternatives[0] : `(${alternatives.join(' OR ')})`);
  }
  const sql = `SELECT ${SELECT} FROM ${table} AS t WHERE ${where.join(' AND ')} ORDER BY t."time", t.time_unix_nano NULLS FIRST, t.point_id COLLATE "C" LIMIT ${p(limit)}`;
  return { sql, params };
}

/** The JSON values whose scalar text is `text`: the string, and the number or boolean it reads as. */
export function typedValues(text: string): Array<string | number | boolean> {
  const out: Array<string | number | boolean> = [text];
  if (text === 'true' || text === 'false') out.push(text === 'true');
  else if (text !== '' && Number.isFinite(Number(text)) && String(Number(text)) === text) out.push(Number(text));
  return out;
}

type Row = Record<string, unknown>;

function rowToPoint(row: Row): MetricPoint {
  const p: Record<string, unknown> = {
    point_id: row.point_id,
    name: row.name,
    type: row.type,
    time: typeof row.time_unix_nano === 'string' && row.time_unix_nano !== '' ? nanosToIso(BigInt(row.time_unix_nano)) : String(row.time),
    attributes: row.attributes ?? {},
    resource: typeof row.service_name === 'string' ? { 'service.name': row.service_name } : {},
    scope: { name: '' },
  };
  for (const k of ['unit', 'temporality', 'value', 'count', 'sum', 'min', 'max', 'bucket_counts', 'explicit_bounds', 'scale', 'zero_count', 'positive', 'negative', 'quantiles']) {
    const v = row[k];
    if (v !== null && v !== undefined) p[k] = k === 'count' || k === 'zero_count' ? Number(v) : v;
  }
  // An int64 beyond ±(2^53 - 1): exact in value_int (a BIGINT, which pg reads as its decimal string).
  if (row.value_int !== null && row.value_int !== undefined) p.value = exactInt(String(row.value_int));
  return p as unknown as MetricPoint;
}

function exactInt(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}
