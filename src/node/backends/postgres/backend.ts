import type { Pool, PoolClient } from 'pg';
import { spanId, type Batch, type LogRecord, type SpanRecord } from '../../../shared/model.js';
import { failure, retryable, SUCCESS, type RejectedItem, type WriteResult } from '../../../shared/result.js';
import type { Backend, BackendContext, TraceResult, TraceSummary } from '../types.js';
import { newRepairs, sharedJsonText, type Repairs } from './clean.js';
import { buildPoolConfig, resolvePostgresConfig, type PostgresBackendConfig, type ResolvedPostgresConfig } from './config.js';
import { classifyWriteError, errorFacts, isUniqueViolation, PostgresBackendError, startupError } from './errors.js';
import { LOG_SELECT, logToRow, rowToLog, rowToSpan, SPAN_SELECT, spanToRow, type Cell } from './rows.js';
import { LOG_COLUMNS, qualified, SPAN_COLUMNS, type TableNames } from './schema.js';
import { checkPrivileges, ensureSchema } from './setup.js';
import { inTransaction, isolateBadRows, type BulkInsert } from './transaction.js';
import { copyInto, copyViaStaging, insertUnnest, insertValues, type CopyFrom, type CopyText, type TableTarget } from './writers.js';
import { copyText } from './copy-format.js';

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
  const names: TableNames = { schema: c.schema, logs: c.table_name, spans: c.spans_table_name };
  let canTemp: boolean;
  try {
    canTemp = await setUp(pool, names, c);
  } catch (err) {
    await pool.end().catch((endErr: unknown) => diag.debug('postgres backend: pool.end after a failed start-up', errorFacts(endErr).message));
    throw err instanceof PostgresBackendError ? err : startupError(err, c);
  }

  const logsTarget: TableTarget = { table: qualified(c.schema, c.table_name), columns: LOG_COLUMNS, conflict: '(record_id)' };
  const spansTarget: TableTarget = { table: qualified(c.schema, c.spans_table_name), columns: SPAN_COLUMNS, conflict: '(trace_id, span_id)' };
  const copyTimeoutMs = c.statement_timeout_ms > 0 ? c.statement_timeout_ms + c.connect_timeout_ms : undefined;
  // COPY needs the TEMP privilege for its staging table; without it the unnest INSERT is the bulk path.
  const bulk: BulkInsert = canTemp ? (client, t, rows) => copyViaStaging(client, t, rows, copyFrom, copyTimeoutMs) : insertUnnest;
  const single: BulkInsert = (client, t, rows) => insertValues(client, t, rows);
  const inflight = new Set<Promise<WriteResult>>();
  let schemaMissing = false;
  let closing: Promise<void> | undefined;

  /** A batch's rows and their ids; records that cannot be encoded go to `rejected`. */
  function rowsOf(batch: Batch, rejected: RejectedItem[], repairs = newRepairs()) {
    const shared = sharedJsonText(repairs);
    return {
      logs: encode(batch.logs, (r) => logToRow(r, repairs, shared), (r: LogRecord) => String(r?.record_id), rejected),
      spans: encode(batch.spans, (s) => spanToRow(s, repairs, shared), (s: SpanRecord) => spanId(s), rejected),
    };
  }

  /**
   * The batch as COPY text, encoded at once: the transaction (and its idempotent retry) sends these bytes,
   * and the rows, 1,000 arrays of cells, are not held while it runs (in the ingest's dispatch worker they
   * were much of what every scavenge copied). Rows are encoded again only when a batch must be split.
   */
  function prepare(batch: Batch, rejected: RejectedItem[]): Record<'logs' | 'spans', CopyText> {
    const repairs = newRepairs();
    const rows = rowsOf(batch, rejected, repairs);
    reportRepairs(repairs);
    return { logs: copyText(rows.logs.rows), spans: copyText(rows.spans.rows) };
  }

  async function writeBatch(batch: Batch): Promise<WriteResult> {
    const rejected: RejectedItem[] = [];
    const text = prepare(batch, rejected);
    try {
      if (schemaMissing) {
        await withClient(pool, (client) => ensureSchema(client, names));
        schemaMissing = false;
      }
      let inserted = 0;
      const writeAll = (insert: (client: PoolClient, t: TableTarget, kind: 'logs' | 'spans') => Promise<number>) =>
        inTransaction(pool, diag, async (client) => {
          inserted = (await insert(client, logsTarget, 'logs')) + (await insert(client, spansTarget, 'spans'));
        });
      try {
        // Plain COPY: ~1.4x the throughput of the staging path (measured, bench/backends.mjs), but not idempotent.
        await writeAll((client, t, kind) => copyInto(client, t, text[kind], copyFrom, copyTimeoutMs));
      } catch (err) {
        // Some records are stored already (the batch is a retry): the transaction rolled back; the idempotent path.
        if (!isUniqueViolation(err)) throw err;
        diag.count('postgres.batches_rewritten_idempotently');
        if (canTemp) await writeAll((client, t, kind) => copyViaStaging(client, t, text[kind], copyFrom, copyTimeoutMs));
        else {
          const rows = rowsOf(batch, []);
          await writeAll((client, t, kind) => insertUnnest(client, t, rows[kind].rows));
        }
      }
      const skipped = text.logs.count + text.spans.count - inserted;
      if (skipped > 0) diag.count('postgres.duplicates_skipped', skipped);
    } catch (err) {
      const k = classifyWriteError(err);
      if (k.kind === 'retryable') {
        if (k.schemaMissing) schemaMissing = true;
        return retryable(k.reason, k.delayMs);
      }
      diag.debug(`postgres backend: a batch failed on bad data, isolating the bad rows: ${k.reason}`);
      const rows = rowsOf(batch, []);
      try {
        await isolateBadRows({ pool, diag, target: logsTarget, bulk, single }, rows.logs.rows, rows.logs.ids, rejected);
        await isolateBadRows({ pool, diag, target: spansTarget, bulk, single }, rows.spans.rows, rows.spans.ids, rejected);
      } catch (isolateErr) {
        const k2 = classifyWriteError(isolateErr);
        return retryable(k2.reason, k2.kind === 'retryable' ? k2.delayMs : 1000);
      }
    }
    if (rejected.length === 0) return SUCCESS;
    diag.count('postgres.rows_rejected', rejected.length);
    return failure(rejected);
  }

  function reportRepairs(r: Repairs): void {
    if (r.nul > 0) diag.count('postgres.nul_replaced', r.nul);
    if (r.surrogate > 0) diag.count('postgres.lone_surrogate_replaced', r.surrogate);
  }

  return {
    name: `postgres:${c.host}:${c.port}/${c.database}`,
    async write(batch: Batch): Promise<WriteResult> {
      if (closing) return retryable('postgres backend: closed', 0);
      // writeBatch catches everything it expects; this guard keeps the "never rejects" promise for the rest.
      const p = writeBatch(batch).catch((err: unknown) => retryable(`postgres backend: write failed: ${errorFacts(err).message}`, 5000));
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
    async ping() {
      if (closing) return false;
      const probe = pool.query('SELECT 1');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('ping timed out')), Math.min(2000, c.connect_timeout_ms));
        timer.unref();
      });
      try {
        await Promise.race([probe, timeout]);
        return true;
      } catch (err) {
        probe.catch(() => undefined); // a late failure of the abandoned probe is already reported here
        diag.debug(`postgres backend: ping failed: ${errorFacts(err).message}`);
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async listTraces(limit: number): Promise<TraceSummary[]> {
      try {
        const r = await pool.query(
          `SELECT trace_id, min(start_time) AS start_time, max(end_time) AS end_time, count(*)::int AS span_count,
                  (array_agg(name ORDER BY (parent_span_id IS NOT NULL), start_time))[1] AS root_name,
                  array_remove(array_agg(DISTINCT service_name), NULL) AS services, bool_or(status_code = 'ERROR') AS error
             FROM ${spansTarget.table} GROUP BY trace_id ORDER BY min(start_time) DESC LIMIT $1`,
          [limit],
        );
        return r.rows.map((row: { trace_id: string; start_time: Date; end_time: Date; span_count: number; root_name: string; services: string[]; error: boolean }) => ({
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
    },
    async getTrace(traceId: string): Promise<TraceResult> {
      try {
        const [l, s] = await Promise.all([
          pool.query(`SELECT ${LOG_SELECT} FROM ${logsTarget.table} AS t WHERE t.trace_id = $1 ORDER BY t."timestamp", t.time_unix_nano NULLS FIRST, t.id`, [traceId]),
          pool.query(`SELECT ${SPAN_SELECT} FROM ${spansTarget.table} AS t WHERE t.trace_id = $1 ORDER BY t.start_time, t.start_time_unix_nano NULLS FIRST, t.span_id`, [traceId]),
        ]);
        return { logs: l.rows.map(rowToLog), spans: s.rows.map(rowToSpan) };
      } catch (err) {
        throw new Error(`postgres backend: reading trace ${traceId} failed: ${errorFacts(err).message}`);
      }
    },
  };
}

async function setUp(pool: Pool, names: TableNames, c: ResolvedPostgresConfig): Promise<boolean> {
  return withClient(pool, async (client) => {
    await ensureSchema(client, names);
    const p = await checkPrivileges(client, names);
    if (p.missing.length > 0) {
      throw new PostgresBackendError(
        `postgres backend: permission denied for user "${p.user}": missing ${p.missing.join(', ')} (the user needs INSERT and SELECT on ${c.schema}.${c.table_name} and ${c.schema}.${c.spans_table_name} and USAGE on the schema and the id sequence; check config.user)`,
        false,
        '42501',
      );
    }
    return p.canTemp;
  });
}

async function withClient<T>(pool: Pool, fn: (client: import('pg').PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failed = false;
  try {
    return await fn(client);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    client.release(failed);
  }
}

/** Maps records to rows; a record that cannot be encoded (not the model's shape) is rejected on its own. */
function encode<T>(records: readonly T[], toRow: (r: T) => Cell[], idOf: (r: T) => string, rejected: RejectedItem[]): { rows: Cell[][]; ids: string[] } {
  const rows: Cell[][] = [];
  const ids: string[] = [];
  for (const r of records) {
    let id = '';
    try {
      id = idOf(r);
      rows.push(toRow(r));
      ids.push(id);
    } catch (err) {
      rejected.push({ id, reason: `postgres backend: cannot encode the record: ${errorFacts(err).message}` });
    }
  }
  return { rows, ids };
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
