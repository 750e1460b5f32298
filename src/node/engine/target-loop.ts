import { emptyBatch, type Batch } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import { SUCCESS, failure, type RejectedItem, type WriteResult } from '../../shared/result.js';
import { concatBatches, recordCount, splitBatch } from './batch-utils.js';
import type { Backend, BackendHealth } from '../backends/types.js';
import type { Position } from './cursor.js';
import type { WalEntry, WalReader } from './wal.js';
import { backoffDelay } from '../../shared/backoff.js';

/**
 * One backend's delivery loop: read batches after its cursor, keep up to `concurrency` of them in flight,
 * and advance the cursor in order, batch by batch, as the writes complete. A retryable failure stops the
 * window: the batches after it (sent, perhaps stored) are sent again from the cursor after a backoff, which
 * idempotent writes absorb. Keeping two batches in flight lets the backend work on one (a PostgreSQL
 * transaction, an Elasticsearch _bulk) while the next is encoded and sent.
 */
export interface DispatcherHealth extends BackendHealth {
  /** Milliseconds of the last successful write. */
  last_write_ms?: number;
  write_seconds_total: number;
  writes_total: number;
}

export interface TargetLoopContext {
  name: string;
  backend: Backend & { state?(): string };
  reader: WalReader;
  health: DispatcherHealth;
  batchSize: number;
  concurrency: number;
  baseDelayMs: number;
  maxDelayMs: number;
  diag: Diag;
  onRejected?(target: string, items: RejectedItem[], batch: Batch): Promise<void> | void;
  isClosed(): boolean;
  sleep(ms: number): Promise<void>;
  /** Resolves on the next append round, unless one happened since `round` (no wake-up is missed). */
  nextAppend(round: number): Promise<void>;
  appendRound(): number;
}

interface Flight {
  entries: WalEntry[];
  batch: Batch;
  count: number;
  started: number;
  result: Promise<WriteResult>;
  settled: boolean;
}

function merge(entries: WalEntry[]): Batch {
  if (entries.length === 1) return entries[0].batch;
  return concatBatches(entries.map((e) => e.batch));
}

/**
 * Frames are never split in the log (a request's records stay together), so one can hold more records than the
 * sink's batch_size: such a batch is written in parts of batch_size, in order. A retryable part stops there (the
 * parts before it are stored; sending them again is harmless, writes being idempotent).
 */
async function writeInParts(backend: Backend, batch: Batch, count: number, size: number): Promise<WriteResult> {
  if (count <= size) return backend.write(batch);
  const reasons: RejectedItem[] = [];
  for (let rest = batch; recordCount(rest) > 0; ) {
    const [part, after] = splitBatch(rest, size);
    const r = await backend.write(part);
    if (r.status === 'retryable') return r;
    if (r.status === 'failure') reasons.push(...r.reasons);
    rest = after;
  }
  return reasons.length > 0 ? failure(reasons) : SUCCESS;
}

export async function runTargetLoop(c: TargetLoopContext): Promise<void> {
  const w: Window = { flights: [], next: undefined, failures: 0, done: new Set() };
  while (!c.isClosed()) {
    const round = c.appendRound();
    const readFailed = await fill(c, w);
    const flights = w.flights;
    if (flights.length === 0) {
      if (readFailed) await c.sleep(1000);
      else await c.nextAppend(round);
      continue;
    }
    if (flights.length < c.concurrency && !flights[0].settled && !readFailed) {
      // Room in the window: wait for the oldest write or for new records, whichever comes first.
      await Promise.race([flights[0].result, c.nextAppend(round)]);
      if (!flights[0].settled) continue;
    }
    const f = flights.shift()!;
    const result = await f.result;
    if (result.status === 'retryable') await retryLater(c, w, result);
    else await settled(c, w, f, result, performance.now() - f.started);
  }
  // Closing: let the writes in flight finish; what they carried stays uncommitted and is sent again on restart.
  await Promise.all(w.flights.map((x) => x.result));
}

/**
 * The batches in flight, where the next read starts (after the last batch sent), failures in a row, and the
 * frames (by end position) a sink answered for behind a failed batch: read again from the cursor, they are not
 * sent again, so a sink that is not idempotent (a user's own backend) still gets each record once.
 */
interface Window {
  flights: Flight[];
  next: Position | undefined;
  failures: number;
  done: Set<string>;
}

const frameKey = (p: Position) => `${p.segment}:${p.offset}`;

/** Reads and sends batches until `concurrency` are in flight or the log has no more; true when a read failed. */
async function fill(c: TargetLoopContext, w: Window): Promise<boolean> {
  while (w.flights.length < c.concurrency && !c.isClosed()) {
    let entries: WalEntry[];
    try {
      entries = await c.reader.read(c.batchSize, w.next);
    } catch (err) {
      c.diag.error(`dispatcher ${c.name}: reading the write-ahead log failed`, err);
      return true;
    }
    if (entries.length === 0) return false;
    const fresh = w.done.size === 0 ? entries : entries.filter((e) => !w.done.delete(frameKey(e.end)));
    const batch = fresh.length > 0 ? merge(fresh) : emptyBatch();
    const count = recordCount(batch);
    const result = count > 0 ? writeInParts(c.backend, batch, count, c.batchSize) : Promise.resolve(SUCCESS);
    const f: Flight = { entries, batch, count, started: performance.now(), result, settled: false };
    void f.result.then(() => {
      f.settled = true;
    });
    w.flights.push(f);
    w.next = entries[entries.length - 1].end;
  }
  return false;
}

/** A retryable write: wait for the rest of the window, back off, and start again from the cursor. */
async function retryLater(c: TargetLoopContext, w: Window, result: Extract<WriteResult, { status: 'retryable' }>): Promise<void> {
  const h = c.health;
  for (const f of w.flights) {
    const r = await f.result; // Backend.write never rejects
    if (r.status === 'retryable') continue;
    await answered(c, f, r, performance.now() - f.started);
    for (const e of f.entries) w.done.add(frameKey(e.end));
  }
  w.flights.length = 0;
  w.next = undefined;
  w.failures++;
  const open = c.backend.state?.() === 'open';
  h.state = open ? 'circuit_open' : 'retrying';
  h.last_error = result.reason;
  h.last_error_at = new Date().toISOString();
  // An open circuit is the backoff itself: look again at least every second (an open breaker answers at once,
  // without touching the sink), so a recovery its health check sees is acted on within a second, not after an
  // exponential wait grown through a long outage.
  await c.sleep(open ? Math.min(result.delayMs, 1000) : backoffDelay(w.failures - 1, result.delayMs, c.baseDelayMs, c.maxDelayMs));
}

/** A write the sink answered for: count it, dead-letter what it refused, and move the cursor past it. */
async function settled(c: TargetLoopContext, w: Window, f: Flight, result: Exclude<WriteResult, { status: 'retryable' }>, elapsed: number): Promise<void> {
  w.failures = 0;
  c.health.state = 'healthy';
  await answered(c, f, result, elapsed);
  await c.reader.commit(f.entries[f.entries.length - 1].end);
}

/** Counts a write the sink answered for, and dead-letters what it refused. */
async function answered(c: TargetLoopContext, f: Flight, result: Exclude<WriteResult, { status: 'retryable' }>, elapsed: number): Promise<void> {
  const h = c.health;
  if (f.count === 0) return;
  h.writes_total++;
  h.write_seconds_total += elapsed / 1000;
  h.last_write_ms = elapsed;
  if (result.status === 'failure') {
    h.dead_lettered += result.reasons.length;
    h.delivered += f.count - result.reasons.length;
    h.last_error = result.reasons[0]?.reason;
    h.last_error_at = new Date().toISOString();
    try {
      await c.onRejected?.(c.name, result.reasons, f.batch);
    } catch (err) {
      c.diag.error(`dispatcher ${c.name}: dead-letter write failed`, err);
    }
  } else {
    h.delivered += f.count;
  }
}
