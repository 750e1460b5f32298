import type { PoolClient } from 'pg';
import { ddlStatements, expectedIndexes, LOG_COLUMNS, qualified, quoteIdent, SPAN_COLUMNS, type TableNames } from './schema.js';
import { METRIC_COLUMNS } from './metric-schema.js';

/**
 * Start-up: makes sure the schema, tables and indexes exist, then that the user may write to them.
 *
 * DDL runs only when the catalog shows something missing, so a least-privilege user (INSERT and SELECT on
 * tables an administrator created) never needs CREATE; and it runs in one transaction under an advisory lock,
 * so two processes starting at once do not collide (concurrent CREATE TABLE IF NOT EXISTS can fail on
 * pg_type's unique index).
 */
export async function ensureSchema(client: PoolClient, n: TableNames): Promise<'created' | 'present'> {
  if (await isComplete(client, n)) return 'present';
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`isotel.ddl:${n.schema}`]);
    // CREATE SCHEMA IF NOT EXISTS checks the CREATE-on-database privilege even when the schema exists.
    const schema = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [n.schema]);
    if (schema.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(n.schema)}`);
    for (const sql of ddlStatements(n)) await client.query(sql);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined); // the original error is what the caller reports
    throw err;
  }
  return 'created';
}

async function isComplete(client: PoolClient, n: TableNames): Promise<boolean> {
  const cols = await client.query<{ table: string; column: string }>(
    `SELECT c.relname AS table, a.attname AS column
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace s ON s.oid = c.relnamespace
      WHERE s.nspname = $1 AND c.relname = ANY($2) AND a.attnum > 0 AND NOT a.attisdropped`,
    [n.schema, [n.logs, n.spans, n.metrics]],
  );
  const have = new Set(cols.rows.map((r) => `${r.table}.${r.column}`));
  const needed = [
    ...LOG_COLUMNS.map((c) => `${n.logs}.${c.name}`),
    ...SPAN_COLUMNS.map((c) => `${n.spans}.${c.name}`),
    ...METRIC_COLUMNS.map((c) => `${n.metrics}.${c.name}`),
  ];
  if (!needed.every((k) => have.has(k))) return false;
  const idx = await client.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = ANY($2)', [
    n.schema,
    [n.logs, n.spans, n.metrics],
  ]);
  const indexes = new Set(idx.rows.map((r) => r.indexname));
  return expectedIndexes(n).every((e) => indexes.has(e.index));
}

export interface PrivilegeReport {
  user: string;
  /** What is missing, e.g. `INSERT on table app.otel_logs`; empty when the user may write and read. */
  missing: string[];
  /** Whether the user may create the per-connection TEMP staging table COPY uses. */
  canTemp: boolean;
}

export async function checkPrivileges(client: PoolClient, n: TableNames): Promise<PrivilegeReport> {
  const first = await client.query<{ user: string; usage: boolean; can_temp: boolean }>(
    `SELECT current_user AS user, has_schema_privilege($1, 'USAGE') AS usage,
            has_database_privilege(current_database(), 'TEMP') AS can_temp`,
    [n.schema],
  );
  const { user, usage, can_temp: canTemp } = first.rows[0];
  // Without USAGE the table names below cannot even be resolved (that would raise "permission denied").
  if (!usage) return { user, missing: [`USAGE on schema ${n.schema}`], canTemp };
  const logs = qualified(n.schema, n.logs);
  const spans = qualified(n.schema, n.spans);
  const metrics = qualified(n.schema, n.metrics);
  const r = await client.query<Record<string, boolean | string | null>>(
    `SELECT has_table_privilege($1, 'INSERT') AS logs_insert, has_table_privilege($1, 'SELECT') AS logs_select,
            has_table_privilege($2, 'INSERT') AS spans_insert, has_table_privilege($2, 'SELECT') AS spans_select,
            has_table_privilege($3, 'INSERT') AS metrics_insert, has_table_privilege($3, 'SELECT') AS metrics_select,
            pg_get_serial_sequence($1, 'id') AS logs_seq`,
    [logs, spans, metrics],
  );
  const row = r.rows[0];
  const missing: string[] = [];
  if (!row.logs_insert) missing.push(`INSERT on table ${n.schema}.${n.logs}`);
  if (!row.logs_select) missing.push(`SELECT on table ${n.schema}.${n.logs}`);
  if (!row.spans_insert) missing.push(`INSERT on table ${n.schema}.${n.spans}`);
  if (!row.spans_select) missing.push(`SELECT on table ${n.schema}.${n.spans}`);
  if (!row.metrics_insert) missing.push(`INSERT on table ${n.schema}.${n.metrics}`);
  if (!row.metrics_select) missing.push(`SELECT on table ${n.schema}.${n.metrics}`);
  if (typeof row.logs_seq === 'string') {
    // Inserting draws the BIGSERIAL id from its sequence, which needs its own grant.
    const seq = await client.query<{ ok: boolean }>(`SELECT has_sequence_privilege($1, 'USAGE') AS ok`, [row.logs_seq]);
    if (!seq.rows[0].ok) missing.push(`USAGE on sequence ${row.logs_seq}`);
  }
  return { user, missing, canTemp };
}
