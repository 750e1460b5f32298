import type { Batch } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import type { RejectedItem } from '../../shared/result.js';
import type { Backend } from '../backends/types.js';
import type { WalReader } from './wal.js';
import { runTargetLoop, type DispatcherHealth } from './target-loop.js';
import { Waker } from './waker.js';

export type { DispatcherHealth } from './target-loop.js';

/**
 * Feeds every backend from the write-ahead log. Each backend has its own cursor and its own loop
 * (target-loop.ts): read batches after the cursor, write them, and advance the cursor only when a write
 * succeeded (or the backend refused records for good, which go to the dead-letter sink). A retryable failure
 * leaves the cursor where it is and retries with backoff, so while a backend is down its records simply wait
 * in the log; a slow backend never holds up the others.
 */
export interface DispatchTarget {
  name: string;
  /** The backend, wrapped in retry and a circuit breaker (engine/target.ts). */
  backend: Backend & { state?(): string };
  /** Writes in flight at most (the backend's maxInFlight); default: the dispatcher's concurrency. */
  maxInFlight?: number;
  /** Records per write (the sink's `batch_size`); default: the dispatcher's. */
  batchSize?: number;
  /** The backoff between failed rounds: `retry_delay` doubling up to maxDelayMs, with full jitter. */
  retry?: { baseDelayMs: number; maxDelayMs: number };
}

/** Where the records come from: the write-ahead log itself, or its follower in the dispatch worker. */
export interface DispatchSource {
  reader(name: string): WalReader;
  /** Called after every append round. */
  onAppend(fn: () => void): () => void;
}

export interface DispatcherOptions {
  wal: DispatchSource;
  targets: DispatchTarget[];
  batchSize?: number;
  /** Batches in flight per backend (default 2). */
  concurrency?: number;
  diag: Diag;
  onRejected?(target: string, items: RejectedItem[], batch: Batch): Promise<void> | void;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface Dispatcher {
  health(): DispatcherHealth[];
  /** Resolves when every backend has caught up with what the log held at the call (or the timeout passed). */
  drain(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export function startDispatcher(opts: DispatcherOptions): Dispatcher {
  let closed = false;
  const waker = new Waker();
  const unsubscribe = opts.wal.onAppend(() => waker.appended());
  const loops = opts.targets.map((t) => startLoop(opts, t, waker, () => closed));
  return {
    health: () => loops.map((l) => ({ ...l.health, waiting_on_disk: l.reader.waiting(), state: closed ? 'closed' : l.health.state })),
    async drain(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (loops.every((l) => l.reader.waiting() === 0)) return true;
        await new Promise((r) => setTimeout(r, 10));
      }
      return false;
    },
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      waker.close();
      await Promise.all(loops.map((l) => l.done));
    },
  };
}

function startLoop(opts: DispatcherOptions, t: DispatchTarget, waker: Waker, isClosed: () => boolean) {
  const reader = opts.wal.reader(t.name);
  const health: DispatcherHealth = { name: t.name, state: 'healthy', waiting_on_disk: 0, delivered: 0, dead_lettered: 0, dropped: 0, write_seconds_total: 0, writes_total: 0 };
  const done = runTargetLoop({
    name: t.name,
    backend: t.backend,
    reader,
    health,
    batchSize: t.batchSize ?? opts.batchSize ?? 1000,
    concurrency: Math.max(1, Math.min(opts.concurrency ?? 2, t.maxInFlight ?? Infinity)),
    baseDelayMs: t.retry?.baseDelayMs ?? opts.baseDelayMs ?? 100,
    maxDelayMs: t.retry?.maxDelayMs ?? opts.maxDelayMs ?? 10_000,
    diag: opts.diag,
    onRejected: opts.onRejected,
    isClosed,
    sleep: (ms) => waker.sleep(ms),
    nextAppend: (round) => waker.nextAppend(round),
    appendRound: () => waker.rounds,
  }).catch((err: unknown) => opts.diag.error(`dispatcher ${t.name} stopped`, err));
  return { reader, health, done };
}
