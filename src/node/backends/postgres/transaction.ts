import type { Pool, PoolClient } from 'pg';
import type { Diag } from '../../../shared/diag.js';
import type { RejectedItem } from '../../../shared/result.js';
import { classifyWriteError, errorFacts, isConnectionLevel } from './errors.js';
import type { Cell } from './rows.js';
import type { TableTarget } from './writers.js';

/**
 * Runs `fn` in one transaction on a pooled connection. A connection that failed (or may be mid-protocol,
 * such as an aborted COPY) is destroyed rather than returned to the pool. While checked out the client has
 * an 'error' listener: pg emits 'error' on a client whose socket dies between queries, and an EventEmitter
 * 'error' without a listener would crash the host process.
 */
export async function inTransaction(pool: Pool, diag: Diag, fn: (client: PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  const onError = (err: unknown) => {
    diag.count('postgres.connection_lost');
    diag.warn(`postgres backend: connection lost during a write: ${errorFacts(err).message}`);
  };
  client.on('error', onError);
  let destroy = false;
  try {
    await client.query('BEGIN');
    await fn(client);
    await client.query('COMMIT');
  } catch (err) {
    if (isConnectionLevel(err)) {
      destroy = true;
    } else {
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        diag.debug('postgres backend: ROLLBACK failed, dropping the connection', errorFacts(rollbackErr).message);
        destroy = true;
      });
    }
    throw err;
  } finally {
    client.off('error', onError);
    client.release(destroy);
  }
}

export type BulkInsert = (client: PoolClient, target: TableTarget, rows: readonly Cell[][]) => Promise<number>;

export interface IsolateOptions {
  pool: Pool;
  diag: Diag;
  target: TableTarget;
  /** For groups of rows (the normal bulk path). */
  bulk: BulkInsert;
  /** For a single row (a plain parameterised INSERT: cheapest for one). */
  single: BulkInsert;
}

/**
 * A batch failed on bad data (22xxx/23xxx/54xxx): find the bad rows by bisection, committing every good
 * half on the way, so k bad rows among n cost about 2·k·log2(n) small transactions instead of n. Rejected
 * rows are appended to `rejected`; any error that is not about the data rethrows (the caller retries the
 * batch, which is safe: what was committed is skipped by ON CONFLICT).
 */
export async function isolateBadRows(o: IsolateOptions, rows: readonly Cell[][], ids: readonly string[], rejected: RejectedItem[]): Promise<void> {
  if (rows.length === 0) return;
  const insert = rows.length === 1 ? o.single : o.bulk;
  try {
    await inTransaction(o.pool, o.diag, async (client) => {
      await insert(client, o.target, rows);
    });
  } catch (err) {
    const k = classifyWriteError(err);
    if (k.kind !== 'data') throw err;
    if (rows.length === 1) {
      rejected.push({ id: ids[0], reason: k.reason });
      return;
    }
    const mid = rows.length >>> 1;
    await isolateBadRows(o, rows.slice(0, mid), ids.slice(0, mid), rejected);
    await isolateBadRows(o, rows.slice(mid), ids.slice(mid), rejected);
  }
}
