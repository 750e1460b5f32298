import type { Pool } from 'pg';
import type { Diag } from '../../../shared/diag.js';
import { retryable, type WriteResult } from '../../../shared/result.js';
import type { Backend, BackendContext } from '../types.js';
import { BatchWriter } from './batch-writer.js';
import { buildPoolConfig, resolvePostgresConfig, type PostgresBackendConfig, type ResolvedPostgresConfig } from './config.js';
import { errorFacts, PostgresBackendError, startupError } from './errors.js';
import { pingPool, withClient } from './pool.js';
import { LOG_COLUMNS, qualified, SPAN_COLUMNS, type TableNames } from './schema.js';
import { checkPrivileges, ensureSchema } from './setup.js';
import { getTrace, listTraces } from './trace-queries.js';
import { postgresSearch } from './trace-search.js';
import type { CopyFrom, TableTarget } from './writers.js';
import type { TableKind } from './batch-rows.js';
import { METRIC_COLUMNS } from './metric-schema.js';

/**
 * `backend_type: postgres`. Start-up connects, creates the tables when missing and checks the user's
 * privileges, failing with a message that names the field to fix. Writes are one transaction per batch: a
 * plain COPY first (as fast as a direct loader), and when a record of the batch is already stored (a retried
 * batch) the batch again as COPY into a staging table, then INSERT ... ON CONFLICT DO NOTHING, so each record
 * is stored once; a row PostgreSQL refuses is isolated and reported alone, and its batch's other rows are stored.
 */
export async function createPostgresBackend(config: PostgresBackendConfig, ctx: BackendContext): Promise<Backend> {
  const c = resolvePostgresConfig(config);
  const { Pool, copyFrom } = await loadDriver();
  const pool: Pool = new Pool(await buildPoolConfig(c));
  const diag = ctx.diag;
  // pg emits 'error' on the pool when an idle client's connection drops (server restart, network): without a
  // listener that would crash the host. The pool discards the client; the next write reconnects.
  pool.on('error', (err) => {
    diag.count('postgres.connection_lost');
    diag.warn(`postgres backend: idle connection lost: ${errorFacts(err).message}`);
  });
  const names: TableNames = { schema: c.schema, logs: c.table_name, spans: c.spans_table_name, metrics: c.metrics_table_name };
  const canTemp = await startUp(pool, names, c, diag);
  const targets = tableTargets(c);
  const copyTimeoutMs = c.statement_timeout_ms > 0 ? c.statement_timeout_ms + c.connect_timeout_ms : undefined;
  const writer = new BatchWriter({ pool, diag, names, targets, copyFrom, canTemp, copyTimeoutMs });
  const tables = { logs: targets.logs.table, spans: targets.spans.table, metrics: targets.metrics.table };
  const inflight = new Set<Promise<WriteResult>>();
  let closing: Promise<void> | undefined;

  return {
    name: `postgres:${c.host}:${c.port}/${c.database}`,
    signals: ['log', 'span', 'metric'],
    async write(batch) {
      if (closing) return retryable('postgres backend: closed', 0);
      // The writer catches everything it expects; this guard keeps the "never rejects" promise for the rest.
      const p = writer.write(batch).catch((err: unknown) => retryable(`postgres backend: write failed: ${errorFacts(err).message}`, 5000));
      inflight.add(p);
      try {
        return await p;
      } finally {
        inflight.delete(p);
      }
    },
    async flush() {
      await Promise.allSettled([...inflight]);
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled([...inflight]);
        await pool.end().catch((err: unknown) => diag.warn(`postgres backend: closing the pool failed: ${errorFacts(err).message}`));
      })();
      return closing;
    },
    ping: async () => !closing && pingPool(pool, Math.min(2000, c.connect_timeout_ms), diag),
    listTraces: (limit) => listTraces(pool, tables, limit),
    getTrace: (traceId) => getTrace(pool, tables, traceId),
    search: postgresSearch(pool, tables),
  };
}

function tableTargets(c: ResolvedPostgresConfig): Record<TableKind, TableTarget> {
  return {
    metrics: { table: qualified(c.schema, c.metrics_table_name), columns: METRIC_COLUMNS, conflict: '(point_id)' },
    logs: { table: qualified(c.schema, c.table_name), columns: LOG_COLUMNS, conflict: '(record_id)' },
    spans: { table: qualified(c.schema, c.spans_table_name), columns: SPAN_COLUMNS, conflict: '(trace_id, span_id)' },
  };
}

/** Creates the tables when missing and checks privileges; on failure the pool is ended and the error names what to fix. */
async function startUp(pool: Pool, names: TableNames, c: ResolvedPostgresConfig, diag: Diag): Promise<boolean> {
  try {
    return await setUp(pool, names, c);
  } catch (err) {
    await pool.end().catch((endErr: unknown) => diag.debug('postgres backend: pool.end after a failed start-up', errorFacts(endErr).message));
    throw err instanceof PostgresBackendError ? err : startupError(err, c);
  }
}

async function setUp(pool: Pool, names: TableNames, c: ResolvedPostgresConfig): Promise<boolean> {
  return withClient(pool, async (client) => {
    await ensureSchema(client, names);
    const p = await checkPrivileges(client, names);
    if (p.missing.length > 0) {
      throw new PostgresBackendError(
        `postgres backend: permission denied for user "${p.user}": missing ${p.missing.join(', ')} (the user needs INSERT and SELECT on ${c.schema}.${c.table_name}, ${c.schema}.${c.spans_table_name} and ${c.schema}.${c.metrics_table_name} and USAGE on the schema and the id sequence; check config.user)`,
        false,
        '42501',
      );
    }
    return p.canTemp;
  });
}

async function loadDriver(): Promise<{ Pool: typeof import('pg').Pool; copyFrom: CopyFrom }> {
  try {
    // Imported here, not at the top, so that applications without a postgres backend need not install pg.
    const pg = await import('pg');
    const copy = await import('pg-copy-streams');
    return { Pool: pg.Pool, copyFrom: copy.from };
  } catch (err) {
    throw new PostgresBackendError(
      `postgres backend: the "pg" and "pg-copy-streams" packages are required (npm install pg pg-copy-streams): ${errorFacts(err).message}`,
      false,
    );
  }
}
