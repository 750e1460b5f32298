import * as path from 'node:path';
import type { Batch } from '../../shared/model.js';
import { errorMessage, type WriteResult } from '../../shared/result.js';
import type { Backend, BackendHealth } from '../backends/types.js';
import { recordCount } from './batch-utils.js';
import { withCircuitBreaker } from './breaker.js';
import { createDeadLetter } from './dead-letter.js';
import { resolveDeliveryOptions, type DeliveryOptions } from './delivery-options.js';
import { DeliveryStats } from './delivery-stats.js';
import { MemoryQueue, Tickets, type Chunk } from './memory-queue.js';
import { withRetry } from './retry.js';
import type { Spool } from './spool.js';
import { openChannelSpool } from './channel-spool.js';

export { DELIVERY_DEFAULTS, type DeliveryOptions } from './delivery-options.js';

export interface DeliveryChannel {
  readonly name: string;
  /** Never blocks, never throws. */
  enqueue(batch: Batch): void;
  /** Resolves when everything enqueued before the call is delivered, refused, or durably on disk. */
  flush(): Promise<void>;
  /** flush, then stop timers and close the backend; idempotent. */
  close(): Promise<void>;
  health(): BackendHealth;
}

/**
 * One backend's delivery channel: memory queue -> concurrent writes through retry + circuit breaker; when a
 * write gives up (retries exhausted, circuit open) or memory overflows, records go to the on-disk spool, and
 * new batches follow them there (keeping order) until a single in-order replayer has drained it. Records a
 * backend refuses for good go to the dead-letter file. Order holds except for the at most maxInFlight - 1
 * batches in flight when a backend starts failing (use maxInFlight: 1 for strict order); duplicates are
 * harmless because every backend write is idempotent on record id.
 */
export function createDeliveryChannel(backend: Backend, options: DeliveryOptions): DeliveryChannel {
  const { batchSize, maxInMemoryRecords, overflow, maxInFlight, retry, breaker, now } = resolveDeliveryOptions(options);
  const { diag } = options;
  const name = backend.name;
  const deadLetter = createDeadLetter(path.join(options.dataDir, 'dead-letter.jsonl'), { now });
  const stats = new DeliveryStats(name, diag, deadLetter, now);
  const abort = new AbortController();
  let retrying = false; // a write is between retries: health says 'retrying'
  const onRetry = ({ result }: { result: { reason: string } }) => {
    retrying = true;
    stats.error(result.reason);
  };
  const writer = withCircuitBreaker(withRetry(backend, { ...retry, signal: abort.signal, onRetry }), {
    ...breaker,
    now,
    diag,
    onStateChange: (state) => state !== 'open' && wake(),
  });
  const queue = new MemoryQueue();
  const tickets = new Tickets();
  const inflight: { chunk: Chunk; outcome: 'pending' | 'done' | 'spill' }[] = [];
  let inflightRecords = 0;
  let spool: Spool | null = null;
  let ready = false; // the spool is open (or failed to open): until then nothing is sent, so old records go first
  let diverting = false; // new batches go to the spool, behind what is there
  let failing = false; // the backend gave up: memory goes to the spool too
  let pendingAppends = 0;
  const appendWaiters: (() => void)[] = [];
  let draining: Promise<void> | undefined;
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  let pumpScheduled = false;
  let closed = false; // no more enqueues
  let stopped = false; // no more replays
  let closing: Promise<void> | undefined;

  const spoolOpened = openChannelSpool(options.dataDir, { diag, maxBytes: options.maxSpoolBytes }).then(
    (s) => {
      spool = s;
      ready = true;
      if (s.count() > 0) {
        diag.warn(`${name}: ${s.count()} record(s) left on disk by a previous run are replayed first`);
        diverting = true;
        for (let c = queue.take(batchSize); c; c = queue.take(batchSize)) spill(c);
      }
      schedulePump();
    },
    (err: unknown) => {
      ready = true;
      stats.error(`spool unavailable: ${errorMessage(err)}`);
      diag.error(`${name}: cannot open the spool in ${options.dataDir}; records that cannot be sent will be dropped`, err);
      schedulePump();
    },
  );

  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(pump);
  }

  function pump(): void {
    pumpScheduled = false;
    if (!ready) return;
    if (failing) {
      if (inflight.length === 0) for (let c = queue.take(batchSize); c; c = queue.take(batchSize)) spill(c);
    } else {
      while (inflight.length < maxInFlight && queue.records > 0) dispatch(queue.take(batchSize) as Chunk);
    }
    maybeDrain();
  }

  function dispatch(chunk: Chunk): void {
    const slot = { chunk, outcome: 'pending' as 'pending' | 'done' | 'spill' };
    inflight.push(slot);
    inflightRecords += chunk.n;
    void writer
      .write(chunk.batch)
      .then((r) => settleResult(chunk.batch, r))
      .catch((err: unknown) => {
        diag.error(`${name}: delivery failed`, err);
        return 'spill' as const;
      })
      .then((outcome) => {
        slot.outcome = outcome;
        // Settle in order, so a failed batch reaches the spool before any later one.
        while (inflight.length > 0 && inflight[0].outcome !== 'pending') {
          const s = inflight.shift() as (typeof inflight)[number];
          inflightRecords -= s.chunk.n;
          if (s.outcome === 'spill') spill(s.chunk);
          else tickets.settle(s.chunk.pieces);
        }
        schedulePump();
      });
  }

  /** Counts a write's result; 'spill' when the batch must wait on disk. */
  async function settleResult(batch: Batch, r: WriteResult): Promise<'done' | 'spill'> {
    if (r.status === 'retryable') {
      stats.error(r.reason);
      failing = diverting = true;
      scheduleDrain(r.delayMs);
      return 'spill';
    }
    retrying = false;
    await stats.answered(batch, r);
    return 'done';
  }

  function spill(chunk: Chunk): void {
    pendingAppends++;
    void spoolOpened
      .then(() => (spool ? spool.append(chunk.batch) : Promise.reject(new Error('spool unavailable'))))
      .catch((err: unknown) => stats.drop(chunk.n, `cannot be written to the spool: ${errorMessage(err)}`))
      .finally(() => {
        pendingAppends--;
        tickets.settle(chunk.pieces);
        for (const f of appendWaiters.splice(0)) f();
        maybeDrain();
      });
  }

  function scheduleDrain(delayMs: number): void {
    if (drainTimer || stopped) return;
    drainTimer = setTimeout(() => ((drainTimer = undefined), maybeDrain(true)), Math.max(10, delayMs, retry.baseDelayMs));
    drainTimer.unref?.(); // the records are on disk: a pending replay must not keep the process alive
  }

  /** The circuit half-opened or closed: try the spool now rather than at the next timer (which stays as a backstop). */
  function wake(): void {
    queueMicrotask(() => maybeDrain(true));
  }

  /** Starts the in-order replay when it may run; while the backend is failing, makes sure a retry timer is set. */
  function maybeDrain(evenIfFailing = false): void {
    if (!spool || draining || stopped || !diverting) return;
    const memoryFirst = queue.records > 0 || inflight.length > 0; // older records in memory go first
    if (memoryFirst || (failing && !evenIfFailing)) {
      if (failing) scheduleDrain(0);
      return;
    }
    draining = drain(spool).finally(() => {
      draining = undefined;
      schedulePump();
    });
  }

  /**
   * Replays the spool in order, one write at a time. The next batch is read and parsed while the current one
   * is written, and acks are persisted in the background (coalesced by the spool), so the replay runs at the
   * backend's pace rather than the disk's.
   */
  async function drain(s: Spool): Promise<void> {
    let ahead: ReturnType<Spool['peek']> | undefined;
    try {
      while (!stopped && queue.records === 0 && inflight.length === 0) {
        const prefetched = ahead !== undefined;
        const item = await (ahead ?? s.peek(batchSize));
        ahead = undefined;
        if (!item) {
          if (prefetched) continue; // read ahead before the last appends landed: look again from the cursor
          if (pendingAppends > 0) {
            await new Promise<void>((resolve) => appendWaiters.push(resolve)); // the next append lands
            continue;
          }
          if (s.count() === 0) diverting = failing = false;
          else scheduleDrain(0);
          return;
        }
        ahead = s.peek(batchSize, item.token);
        const r = await writer.write(item.batch);
        if (r.status === 'retryable') {
          stats.error(r.reason);
          failing = true;
          scheduleDrain(r.delayMs);
          return;
        }
        failing = retrying = false;
        await stats.answered(item.batch, r);
        s.ack(item.token).catch((err: unknown) => diag.error(`${name}: spool cursor update failed (records may be re-sent)`, err));
      }
    } catch (err) {
      stats.error(`spool replay: ${errorMessage(err)}`);
      diag.error(`${name}: spool replay failed; retrying later`, err);
      scheduleDrain(retry.baseDelayMs);
    } finally {
      // A read-ahead left unused: the same records are read again from the cursor by the next replay.
      ahead?.catch((err: unknown) => diag.debug(`${name}: spool read-ahead failed`, err));
    }
  }

  async function flush(): Promise<void> {
    const upTo = tickets.last();
    pump();
    // Retry sleeps and replay timers are unref'd (records waiting on disk must not keep a process alive), but
    // whoever awaits flush() wants these records delivered or on disk first: without a ref'd handle, a script
    // ending in `await logger.flush()` while the backend is down would exit mid-retry with them in memory.
    const keepAlive = setInterval(() => undefined, 60_000);
    try {
      await tickets.whenSettled(upTo);
      await writer.flush();
    } catch (err) {
      stats.error(`flush: ${errorMessage(err)}`);
      diag.error(`${name}: backend flush failed`, err);
    } finally {
      clearInterval(keepAlive);
    }
  }

  return {
    name,
    enqueue(batch: Batch): void {
      try {
        const n = recordCount(batch);
        if (n === 0) return;
        if (closed) return stats.drop(n, 'enqueued after close');
        const ticket = tickets.issue(n);
        const chunk: Chunk = { batch, n, pieces: [{ ticket, n }] };
        if (diverting && !failing && ready) return spill(chunk); // behind the records already on disk
        if (overflow === 'drop_oldest' && queue.records + inflightRecords + n > maxInMemoryRecords && !failing) {
          // Make room by dropping the oldest records waiting in memory (those being written stay); when
          // there are not enough of them, the newest batch itself is what does not fit.
          const excess = queue.records + inflightRecords + n - maxInMemoryRecords;
          const old = excess <= queue.records ? queue.take(excess) : undefined;
          const dropped = old ?? chunk;
          tickets.settle(dropped.pieces);
          stats.drop(dropped.n, 'memory queue full (queue.overflow: drop_oldest)');
          diag.count('delivery.dropped_oldest', dropped.n);
          if (!old) return;
        } else if (queue.records + inflightRecords + n > maxInMemoryRecords) {
          diag.count('delivery.spilled', n);
          if (!failing) diverting = true;
          return spill(chunk);
        }
        queue.push(batch, n, ticket);
        schedulePump();
      } catch (err) {
        diag.error(`${name}: enqueue failed`, err);
      }
    },
    flush,
    close(): Promise<void> {
      closing ??= (async () => {
        closed = true;
        abort.abort(); // pending retry sleeps end now: what is not delivered goes to disk for the next run
        await flush();
        stopped = true;
        if (drainTimer) clearTimeout(drainTimer);
        await draining;
        await writer.close().catch((err: unknown) => diag.error(`${name}: close failed`, err));
        await spoolOpened;
        await spool?.close().catch((err: unknown) => diag.error(`${name}: spool close failed`, err));
        await deadLetter.close().catch((err: unknown) => diag.error(`${name}: dead-letter close failed`, err));
      })();
      return closing;
    },
    health(): BackendHealth {
      const b = writer.state();
      const state = closed ? 'closed' : b === 'open' ? 'circuit_open' : failing || retrying || b === 'half_open' ? 'retrying' : 'healthy';
      return stats.health(state, spool?.count() ?? 0);
    },
  };
}
