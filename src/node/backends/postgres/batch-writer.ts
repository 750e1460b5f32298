import type { Pool, PoolClient } from 'pg';
import type { Batch } from '../../../shared/model.js';
import type { Diag } from '../../../shared/diag.js';
import { failure, retryable, SUCCESS, type RejectedItem, type WriteResult } from '../../../shared/result.js';
import { batchCopyText, batchRows, type TableKind } from './batch-rows.js';
import { classifyWriteError, isUniqueViolation } from './errors.js';
import { withClient } from './pool.js';
import type { TableNames } from './schema.js';
import { ensureSchema } from './setup.js';
import { inTransaction, isolateBadRows, type BulkInsert, type IsolateOptions } from './transaction.js';
import { copyInto, copyViaStaging, insertUnnest, insertValues, type CopyFrom, type CopyText, type TableTarget } from './writers.js';

type Kind = TableKind;
type InsertInto = (client: PoolClient, t: TableTarget, kind: Kind) => Promise<number>;

export interface BatchWriterOptions {
  pool: Pool;
  diag: Diag;
  names: TableNames;
  targets: Record<Kind, TableTarget>;
  copyFrom: CopyFrom;
  /** Whether the user may create the TEMP staging table that COPY into existing records needs. */
  canTemp: boolean;
  copyTimeoutMs: number | undefined;
}

/**
 * Writes one batch in one transaction: a plain COPY first (as fast as a direct loader), and when a record of
 * the batch is already stored (a retried batch) the batch again as COPY into a staging table, then INSERT ...
 * ON CONFLICT DO NOTHING, so each record is stored once; a row PostgreSQL refuses is isolated and reported
 * alone, and its batch's other rows are stored. Resolves with a result; rejects only on a bug.
 */
export class BatchWriter {
  /** Set when a write found the tables gone; the next write creates them again first. */
  private schemaMissing = false;
  private readonly bulk: BulkInsert;
  private readonly single: BulkInsert = (client, t, rows) => insertValues(client, t, rows);

  constructor(private readonly o: BatchWriterOptions) {
    // COPY needs the TEMP privilege for its staging table; without it the unnest INSERT is the bulk path.
    this.bulk = o.canTemp ? (client, t, rows) => copyViaStaging(client, t, rows, o.copyFrom, o.copyTimeoutMs) : insertUnnest;
  }

  async write(batch: Batch): Promise<WriteResult> {
    const { pool, diag } = this.o;
    const rejected: RejectedItem[] = [];
    const text = batchCopyText(batch, rejected, diag);
    try {
      if (this.schemaMissing) {
        await withClient(pool, (client) => ensureSchema(client, this.o.names));
        this.schemaMissing = false;
      }
      const skipped = text.logs.count + text.spans.count + text.metrics.count - (await this.store(batch, text));
      if (skipped > 0) diag.count('postgres.duplicates_skipped', skipped);
    } catch (err) {
      const k = classifyWriteError(err);
      if (k.kind === 'retryable') {
        if (k.schemaMissing) this.schemaMissing = true;
        return retryable(k.reason, k.delayMs);
      }
      const retry = await this.isolate(batch, k.reason, rejected);
      if (retry) return retry;
    }
    if (rejected.length === 0) return SUCCESS;
    diag.count('postgres.rows_rejected', rejected.length);
    return failure(rejected);
  }

  /** Stores the batch once, whether or not some of its records are stored already; resolves with the rows inserted. */
  private async store(batch: Batch, text: Record<Kind, CopyText>): Promise<number> {
    const { copyFrom, copyTimeoutMs, diag } = this.o;
    try {
      // Plain COPY: ~1.4x the throughput of the staging path (measured, bench/backends.mjs), but not idempotent.
      return await this.inOneTransaction((client, t, kind) => copyInto(client, t, text[kind], copyFrom, copyTimeoutMs));
    } catch (err) {
      // Some records are stored already (the batch is a retry): the transaction rolled back; the idempotent path.
      if (!isUniqueViolation(err)) throw err;
      diag.count('postgres.batches_rewritten_idempotently');
      if (this.o.canTemp) return await this.inOneTransaction((client, t, kind) => copyViaStaging(client, t, text[kind], copyFrom, copyTimeoutMs));
      const rows = batchRows(batch, []);
      return await this.inOneTransaction((client, t, kind) => insertUnnest(client, t, rows[kind].rows));
    }
  }

  /** Logs, spans, then metric points, in one transaction; resolves with the rows inserted. */
  private async inOneTransaction(insert: InsertInto): Promise<number> {
    const { logs, spans, metrics } = this.o.targets;
    let inserted = 0;
    await inTransaction(this.o.pool, this.o.diag, async (client) => {
      inserted = (await insert(client, logs, 'logs')) + (await insert(client, spans, 'spans')) + (await insert(client, metrics, 'metrics'));
    });
    return inserted;
  }

  /** The batch failed on bad data: its bad rows are found and rejected; a retryable result when that fails. */
  private async isolate(batch: Batch, reason: string, rejected: RejectedItem[]): Promise<WriteResult | undefined> {
    const { pool, diag, targets } = this.o;
    diag.debug(`postgres backend: a batch failed on bad data, isolating the bad rows: ${reason}`);
    const rows = batchRows(batch, []);
    const options = (target: TableTarget): IsolateOptions => ({ pool, diag, target, bulk: this.bulk, single: this.single });
    try {
      await isolateBadRows(options(targets.logs), rows.logs.rows, rows.logs.ids, rejected);
      await isolateBadRows(options(targets.spans), rows.spans.rows, rows.spans.ids, rejected);
      await isolateBadRows(options(targets.metrics), rows.metrics.rows, rows.metrics.ids, rejected);
      return undefined;
    } catch (isolateErr) {
      const k2 = classifyWriteError(isolateErr);
      return retryable(k2.reason, k2.kind === 'retryable' ? k2.delayMs : 1000);
    }
  }
}
