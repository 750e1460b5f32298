import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import type { CopyStreamQuery } from 'pg-copy-streams';
import { copyChunks } from './copy-format.js';
import type { Cell } from './rows.js';
import { quoteIdent, stagingTable, type ColumnSpec } from './schema.js';

/**
 * The ways a set of rows gets into a table, idempotently (ON CONFLICT DO NOTHING on the record identity).
 * Each runs inside the caller's transaction and resolves with the number of rows inserted (duplicates
 * excluded), except `copyInto`, which is not idempotent by itself. bench/pg-direct.ts measures them against
 * each other. The backend first tries `copyInto` (plain COPY, as fast as a direct loader: most batches hold only
 * new records) and, when a record is already stored (unique violation: a batch re-sent after a lost
 * acknowledgement), writes the batch again with `copyViaStaging`; `insertValues` for one row at a time when it
 * isolates a bad row.
 */
export interface TableTarget {
  /** Schema-qualified, quoted. */
  table: string;
  columns: readonly ColumnSpec[];
  /** The conflict target, e.g. `(record_id)`. */
  conflict: string;
}

export type CopyFrom = (sql: string) => CopyStreamQuery;

/**
 * Rows already encoded as COPY text (copy-format.ts copyText): a caller that may send a batch twice (plain
 * COPY, then the staging path) encodes once and need not keep the rows, whose arrays of cells cost the
 * garbage collector more than the same bytes off the heap.
 */
export interface CopyText {
  count: number;
  chunks: readonly Buffer[];
}

export type CopyRows = readonly Cell[][] | CopyText;

function copySource(rows: CopyRows): Readable {
  return Readable.from(Array.isArray(rows) ? copyChunks(rows) : (rows as CopyText).chunks);
}

function rowCount(rows: CopyRows): number {
  return Array.isArray(rows) ? rows.length : (rows as CopyText).count;
}

function columnList(t: TableTarget): string {
  return t.columns.map((c) => quoteIdent(c.name)).join(', ');
}

/**
 * Plain COPY straight into the table. One duplicate of a stored record fails the whole COPY with a unique
 * violation (23505), so it is only safe as an optimistic first attempt inside a transaction that a caller
 * retries with an idempotent writer.
 */
export async function copyInto(client: PoolClient, t: TableTarget, rows: CopyRows, copyFrom: CopyFrom, timeoutMs?: number): Promise<number> {
  const n = rowCount(rows);
  if (n === 0) return 0;
  const stream = client.query(copyFrom(`COPY ${t.table} (${columnList(t)}) FROM STDIN`));
  await pipeline(copySource(rows), stream, timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) });
  return n;
}

/**
 * COPY into a per-connection TEMP table (created once per session, emptied at every commit), then one
 * INSERT ... SELECT ... ON CONFLICT DO NOTHING. COPY alone cannot skip duplicates: it aborts on the first.
 */
export async function copyViaStaging(
  client: PoolClient,
  t: TableTarget,
  rows: CopyRows,
  copyFrom: CopyFrom,
  /** pg's query_timeout does not cover COPY streams: a stalled socket is cut after this long. */
  timeoutMs?: number,
): Promise<number> {
  if (rowCount(rows) === 0) return 0;
  const stage = stagingTable(t.table, t.columns);
  // IF NOT EXISTS costs one catalog lookup; tracking "created" per connection instead would go wrong when
  // the transaction that created the table rolls back.
  await client.query(stage.ddl);
  const cols = columnList(t);
  const stream = client.query(copyFrom(`COPY ${stage.name} (${cols}) FROM STDIN`));
  await pipeline(copySource(rows), stream, timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) });
  const res = await client.query(`INSERT INTO ${t.table} (${cols}) SELECT ${cols} FROM ${stage.name} ON CONFLICT ${t.conflict} DO NOTHING`);
  return res.rowCount ?? 0;
}

/** PostgreSQL accepts at most 65,535 parameters per statement. */
const MAX_PARAMS = 65_535;

/** Plain parameterised multi-row INSERT ... VALUES (...), (...) ON CONFLICT DO NOTHING. */
export async function insertValues(client: PoolClient, t: TableTarget, rows: readonly Cell[][], maxRowsPerStatement = 1000): Promise<number> {
  const width = t.columns.length;
  const per = Math.max(1, Math.min(maxRowsPerStatement, Math.floor(MAX_PARAMS / width)));
  const cols = columnList(t);
  let inserted = 0;
  for (let start = 0; start < rows.length; start += per) {
    const slice = rows.slice(start, start + per);
    const params: Cell[] = [];
    const tuples: string[] = [];
    for (const row of slice) {
      const marks: string[] = [];
      for (let i = 0; i < width; i++) {
        params.push(row[i]);
        marks.push(`$${params.length}`);
      }
      tuples.push(`(${marks.join(', ')})`);
    }
    const res = await client.query(`INSERT INTO ${t.table} (${cols}) VALUES ${tuples.join(', ')} ON CONFLICT ${t.conflict} DO NOTHING`, params);
    inserted += res.rowCount ?? 0;
  }
  return inserted;
}

/** One array parameter per column: INSERT ... SELECT * FROM unnest($1::text[], ...) ON CONFLICT DO NOTHING. */
export async function insertUnnest(client: PoolClient, t: TableTarget, rows: readonly Cell[][]): Promise<number> {
  if (rows.length === 0) return 0;
  const arrays: Cell[][] = t.columns.map(() => new Array<Cell>(rows.length));
  rows.forEach((row, r) => {
    for (let c = 0; c < arrays.length; c++) arrays[c][r] = row[c];
  });
  const casts = t.columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const res = await client.query(`INSERT INTO ${t.table} (${columnList(t)}) SELECT * FROM unnest(${casts}) ON CONFLICT ${t.conflict} DO NOTHING`, arrays);
  return res.rowCount ?? 0;
}
