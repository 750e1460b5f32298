import type { Pool } from 'pg';
import type { LogRecord } from '../../../shared/model.js';
import type { LogFilter } from '../log-search.js';
import { microsToIso } from '../trace-search.js';
import { errorFacts } from './errors.js';
import { LOG_SELECT, rowToLog } from './rows.js';
import { BODY_TSVECTOR } from './schema.js';

/**
 * The logs query API's search (semantics in ../log-search.ts) in one SQL query. The indexes it relies on
 * (schema.ts): `timestamp` for the newest-first order and time ranges, `(service_name, timestamp)` for one
 * service, `trace_id`, and a GIN index on BODY_TSVECTOR for the text,
 * whose expression the query repeats exactly (PostgreSQL uses an expression index only for the same expression).
 */
export async function findLogs(pool: Pool, logs: string, f: LogFilter): Promise<LogRecord[]> {
  try {
    let shape: QueryShape = 'ordered';
    if (f.text !== undefined) {
      const probe = logQuery(logs, f, 'probe');
      const n = ((await pool.query(probe.sql, probe.params)).rows[0] as { n: number }).n;
      if (n < SELECTIVE_TEXT_ROWS) shape = 'matches-first';
    }
    const { sql, params } = logQuery(logs, f, shape);
    return (await pool.query(sql, params)).rows.map(rowToLog);
  } catch (err) {
    throw new Error(`postgres backend: searching logs failed: ${errorFacts(err).message}`);
  }
}

/**
 * A text search matching fewer rows than this reads its matches through the GIN index first and sorts them
 * (`matches-first`); one matching more walks the timestamp index newest first (`ordered`), where matches are
 * dense. The planner cannot tell the two apart: a word missing from the column's statistics is estimated at
 * ~0.5% of the rows, so for a rare word (an order id) it walked the timestamp index through every row
 * (2,000,000 rows: 11.5 s, against 2 ms by the GIN index). The probe counts at most this many matches.
 */
export const SELECTIVE_TEXT_ROWS = 10_000;

/** Rows written by the original framework have no record_id: rowToLog shows `pg-<id>`, and so sorts this. */
const RECORD_ID = `coalesce(t.record_id, 'pg-' || t.id) COLLATE "C"`;
const ORDER = `ORDER BY t."timestamp" DESC, t.time_unix_nano DESC NULLS LAST, ${RECORD_ID} DESC`;

/**
 * `ordered`: the newest-first query, as the planner likes it; `matches-first`: the same with the conditions
 * in a subquery behind OFFSET 0, which the planner plans on its own (no LIMIT to tempt it into the timestamp
 * index); `probe`: how many rows match, counted up to SELECTIVE_TEXT_ROWS.
 */
export type QueryShape = 'ordered' | 'matches-first' | 'probe';

/** The query and its parameters. Exported for its unit test and the EXPLAIN in the docs. */
export function logQuery(logs: string, f: LogFilter, shape: QueryShape = 'ordered'): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = conditions(f, p);
  const filtered = `${logs} AS t${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`;
  if (shape === 'probe') return { sql: `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${filtered} LIMIT ${p(SELECTIVE_TEXT_ROWS)}) AS m`, params };
  const from = shape === 'matches-first' ? `(SELECT * FROM ${filtered} OFFSET 0) AS t` : filtered;
  return { sql: `SELECT ${LOG_SELECT} FROM ${from} ${ORDER} LIMIT ${p(f.limit)}`, params };
}

function conditions(f: LogFilter, p: (v: unknown) => string): string[] {
  const where: string[] = [];
  if (f.service !== undefined) where.push(`t.service_name = ${p(f.service)}`);
  if (f.severityMin !== undefined) where.push(`t.severity_number >= ${p(f.severityMin)}`);
  if (f.severityMax !== undefined) where.push(`t.severity_number <= ${p(f.severityMax)}`);
  if (f.startUs !== undefined) where.push(`t."timestamp" >= ${p(microsToIso(f.startUs))}::timestamptz`);
  if (f.endUs !== undefined) where.push(`t."timestamp" <= ${p(microsToIso(f.endUs))}::timestamptz`);
  if (f.traceId !== undefined) where.push(`t.trace_id = ${p(f.traceId)}`);
  for (const [key, value] of Object.entries(f.attributes)) where.push(attributeCondition(p(key), p(value)));
  if (f.text !== undefined) where.push(`t.body_json IS NULL AND ${BODY_TSVECTOR} @@ plainto_tsquery('simple', ${p(f.text)})`);
  if (f.after !== undefined) where.push(afterCondition(f.after.timeNs, f.after.recordId, p));
  return where;
}

const SCALAR = `IN ('string', 'number', 'boolean')`;

function attributeCondition(k: string, v: string): string {
  return (
    `((t.attributes ->> ${k} = ${v} AND jsonb_typeof(t.attributes -> ${k}) ${SCALAR}) OR ` +
    `(t.resource ->> ${k} = ${v} AND jsonb_typeof(t.resource -> ${k}) ${SCALAR}))`
  );
}

/**
 * Strictly after (timeNs, recordId) in the newest-first order. The TIMESTAMPTZ column holds the microsecond;
 * within it, `time_unix_nano` holds the exact nanoseconds when they are not whole microseconds (NULL: the
 * microsecond itself, the smallest). The leading `timestamp <=` lets the timestamp index bound the scan.
 */
function afterCondition(timeNs: string, recordId: string, p: (v: unknown) => string): string {
  const ns = BigInt(timeNs);
  const us = microsToIso(Number(ns / 1000n));
  const t = p(us);
  const exact = `coalesce(t.time_unix_nano, ${p(String((ns / 1000n) * 1000n))}::numeric)`;
  const n = p(timeNs);
  return (
    `t."timestamp" <= ${t}::timestamptz AND (t."timestamp" < ${t}::timestamptz OR ${exact} < ${n}::numeric ` +
    `OR (${exact} = ${n}::numeric AND ${RECORD_ID} < ${p(recordId)}))`
  );
}
