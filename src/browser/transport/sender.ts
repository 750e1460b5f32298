/**
 * The sender: policy only (the request, the beacon, the lock, the queue and time are parameters).
 * While the page lives, the tab holding the origin's sender lock reads the oldest records of the shared
 * queue, packs them into ≤ 60 KB OTLP JSON bodies and POSTs them one at a time with fetch keepalive
 * (when the 64 KiB keepalive budget allows). 2xx → deleted; a drop answer → deleted and counted; a retry
 * answer → the whole pass waits (exponential backoff with jitter, or Retry-After). On page hide, what is
 * pending goes by sendBeacon within the budget and is marked inflight: a beacon is sent, not delivered,
 * so those records are re-sent on the next load (or after `inflightResendMs` if this page lives on), or,
 * with `atMostOnce`, deleted then instead (README: the unload policy).
 */
import type { Diag } from '../../shared/diag.js';
import { errorMessage } from '../../shared/result.js';
import type { SenderLock } from '../lock/sender-lock.js';
import type { Queue } from '../queue/queue.js';
import type { DropCounts, QueueEntry } from '../queue/types.js';
import type { Counters } from '../status/counters.js';
import type { Timers } from '../timers.js';
import { backoffDelay } from './backoff.js';
import { type BeaconContext, beaconEntries } from './beacon.js';
import type { KeepaliveBudget } from './budget.js';
import { type Chunk, chunkEntries, MAX_BATCH_BYTES } from './chunk.js';
import { classifyResponse, type SendOutcome } from './classify.js';
import type { BeaconFn, RequestFn } from './request.js';
import { signalUrl } from './url.js';

export interface SenderOptions {
  queue: Queue;
  request: RequestFn;
  /** navigator.sendBeacon, bound; absent where the browser has none. */
  beacon?: BeaconFn;
  lock: SenderLock;
  budget: KeepaliveBudget;
  counters: Counters;
  notify: () => void;
  diag: Diag;
  endpoint: string;
  ingestKey?: string;
  /** Epoch milliseconds. */
  now: () => number;
  timers: Timers;
  random?: () => number;
  /** When this page loaded (epoch ms): records beaconed before it are re-sent at once. */
  loadTime: number;
  /** Reports records dropped by any tab since the last report (a log record, see initialize.ts). */
  reportDrops: (counts: DropCounts) => void;
  maxBatchBytes?: number;
  readLimit?: number;
  inflightResendMs?: number;
  /** Records a beacon carried are deleted instead of re-sent (named as the option: init passes its options). */
  unloadAtMostOnce?: boolean;
  /** Housekeeping period: lock polling/renewal and retries (default 5 s). */
  tickMs?: number;
}

export interface RunResult {
  done: boolean;
  reason?: 'not-sender' | 'retry-later' | 'stopped' | 'error';
}

export interface Sender {
  /** One pass: sends until the queue is empty or a retry is needed. Coalesces; never rejects. */
  run(): Promise<RunResult>;
  /** Runs after delayMs, unless a run is due sooner already. */
  schedule(delayMs: number): void;
  /** The network is back: forget the backoff and send now. */
  online(): void;
  /** Visible tabs keep the lock; hidden ones give it up after each pass, so a visible tab sends. */
  setVisible(visible: boolean): void;
  /** Synchronous sendBeacon of what is pending (page hide); the promise settles when the marks are stored. */
  beacon(): Promise<void>;
  stop(): Promise<void>;
}

const MIN_BATCH_BYTES = 4_096;
const BACKLOG_BATCH_BYTES = 512_000;

// Over 60 lines on purpose: split into 60-line functions, the lite build grew 204 B gzip, over its 12 KB budget.
export function createSender(o: SenderOptions): Sender {
  // Defaults by destructuring, not `??`: es2019 (what the size is measured for) spells `??` out in full.
  const { queue, lock, budget, counters, diag, timers, now, random = Math.random, readLimit = 1_000, inflightResendMs: resendMs = 5 * 60_000, tickMs = 5_000 } = o;
  // A backlog (a full read) goes in bodies up to 512 KB, sent without keepalive (over its 64 KiB budget) and so
  // beaconed too if the page hides meanwhile: 60 KB keepalive bodies drained a burst at ~2,200 records/s (15 ms a
  // request, 10 ms between), these at ~5,500 (README, the browser queue's drain). What trickles in still goes in
  // keepalive bodies.
  let maxBytes = o.maxBatchBytes || BACKLOG_BATCH_BYTES;
  let attempt = 0;
  let retryAt = 0;
  let visible = true;
  let stopped = false;
  let running: Promise<RunResult> | undefined;
  let soon: unknown;
  let soonAt = Infinity;
  let tick: unknown;
  /** Entries of the shared queue this tab has read and not yet settled (for the page-hide beacon). */
  const cache = new Map<string, QueueEntry>();
  const sending = new Set<string>();

  const eligible = (e: QueueEntry, t: number): boolean =>
    e.state === 'pending' || (e.sentAt || 0) < o.loadTime || t - (e.sentAt || 0) >= resendMs;

  const settle = async (keys: string[], dropped?: DropCounts): Promise<void> => {
    for (const k of keys) cache.delete(k);
    await queue.remove(keys, dropped);
  };

  const backoff = (reason: string, delay = backoffDelay(attempt, random)): RunResult => {
    attempt++;
    retryAt = now() + delay;
    counters.lastError = reason;
    schedule(delay);
    return { done: false, reason: 'retry-later' };
  };

  const send = async (chunk: Chunk): Promise<SendOutcome> => {
    const keepalive = budget.reserve(chunk.bytes);
    const n = chunk.entries.length;
    counters.inFlight += n;
    // Only a keepalive request outlives the page: the records of another one are the page-hide beacon's too, unless
    // at most once (the request may be delivered all the same: a record is better lost than sent twice then).
    if (keepalive || o.unloadAtMostOnce) for (const [k] of chunk.entries) sending.add(k);
    o.notify();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (o.ingestKey) headers['x-isotel-ingest-key'] = o.ingestKey;
    try {
      const res = await o.request({ url: signalUrl(o.endpoint, chunk.signal, now()), body: chunk.body, headers, keepalive });
      return await classifyResponse(res, now());
    } catch (err) {
      return { kind: 'retry', reason: `network: ${errorMessage(err)}` };
    } finally {
      if (keepalive) budget.release(chunk.bytes);
      counters.inFlight -= n;
      for (const [k] of chunk.entries) sending.delete(k);
    }
  };

  /** Handles one answer; returns a RunResult to end the pass, 'reread' to read again, or undefined. */
  const apply = async (chunk: Chunk, outcome: SendOutcome): Promise<RunResult | 'reread' | undefined> => {
    const keys = chunk.entries.map((e) => e[0]);
    switch (outcome.kind) {
      case 'delivered': {
        attempt = 0;
        const rejected = Math.min(outcome.rejected, keys.length);
        counters.delivered += keys.length - rejected;
        if (rejected > 0) {
          counters.drop('rejected_by_ingest', rejected);
          counters.lastError = outcome.message != null ? outcome.message : 'rejected by the ingest';
        }
        await settle(keys);
        return undefined;
      }
      case 'drop':
        counters.drop(outcome.reason, keys.length);
        counters.lastError = outcome.reason;
        await settle(keys);
        return undefined;
      case 'split':
        if (maxBytes > MIN_BATCH_BYTES) {
          maxBytes = Math.max(MIN_BATCH_BYTES, Math.floor(Math.min(maxBytes, chunk.bytes) / 2));
          return 'reread';
        }
        counters.drop('http_413', keys.length);
        await settle(keys);
        return undefined;
      case 'retry':
        return backoff(outcome.reason, outcome.delayMs);
    }
  };

  const pass = async (): Promise<RunResult> => {
    if (!(await lock.acquire())) {
      cache.clear();
      queue.forgetWritten();
      return { done: false, reason: 'not-sender' };
    }
    if (now() < retryAt) {
      schedule(retryAt - now());
      return { done: false, reason: 'retry-later' };
    }
    const drops = await queue.takeDropped();
    if (Object.keys(drops).length > 0) o.reportDrops(drops);
    for (;;) {
      if (stopped) return { done: false, reason: 'stopped' };
      if (!lock.held() && !(await lock.acquire())) return { done: false, reason: 'not-sender' };
      const t = now();
      let { entries } = await queue.read(readLimit, (e) => eligible(e, t));
      if (entries.length === 0) return { done: true };
      if (o.unloadAtMostOnce) {
        // At most once: what a beacon carried (sentAt: inflight) is deleted, never sent again.
        await settle(entries.filter((x) => x[1].sentAt).map((x) => x[0]));
        entries = entries.filter((x) => !x[1].sentAt);
      }
      for (const [k, e] of entries) cache.set(k, e);
      const { chunks, tooLarge } = chunkEntries(entries, entries.length < readLimit ? Math.min(maxBytes, MAX_BATCH_BYTES) : maxBytes);
      if (tooLarge.length > 0) {
        counters.drop('too_large', tooLarge.length);
        await settle(tooLarge, { too_large: tooLarge.length });
      }
      for (const chunk of chunks) {
        const r = await apply(chunk, await send(chunk));
        o.notify();
        if (r === 'reread') break;
        if (r) return r;
      }
      // Everything read was settled (or a 413 asked for smaller bodies): read again until nothing is left.
    }
  };

  const run = (): Promise<RunResult> => {
    if (stopped) return Promise.resolve({ done: false, reason: 'stopped' });
    if (!running) {
      running = pass()
        .catch((err: unknown): RunResult => {
          diag.warn('B17' /* send pass failed */, err);
          backoff(errorMessage(err));
          return { done: false, reason: 'error' };
        })
        .then((r) => {
          running = undefined;
          if (!visible || stopped) lock.release();
          o.notify();
          return r;
        });
    }
    return running;
  };

  function schedule(delayMs: number): void {
    if (stopped) return;
    const at = now() + delayMs;
    if (soon !== undefined && soonAt <= at) return;
    if (soon !== undefined) timers.clearTimeout(soon);
    soonAt = at;
    soon = timers.setTimeout(() => {
      soon = undefined;
      soonAt = Infinity;
      void run();
    }, delayMs);
  }

  const onTick = (): void => {
    tick = timers.setTimeout(onTick, tickMs);
    // The holder looks at the shared queue (other tabs' records are not in its own count, and no channel
    // tells it of them); anyone else polls for the lock (the sender tab may be gone).
    if (now() >= retryAt) void run();
  };
  tick = timers.setTimeout(onTick, tickMs);

  function beacon(): Promise<void> {
    if (!o.beacon || stopped) return Promise.resolve();
    const t = now();
    const candidates = new Map<string, QueueEntry>();
    // The sender beacons what it knows is waiting (its own records and those it read); another tab only
    // its records not yet written: written ones are the sender's to send, and must not go twice at once.
    const add = (k: string, e: QueueEntry): void => {
      if (e.state === 'pending' && !sending.has(k)) candidates.set(k, e);
    };
    if (lock.held()) {
      for (const [k, e] of cache) add(k, e);
      for (const [k, e] of queue.own()) add(k, e);
    } else {
      for (const [k, e] of queue.buffered()) add(k, e);
    }
    const sent = beaconEntries({ ...o, budget, maxBytes } as BeaconContext, candidates, t);
    if (sent.length === 0) return Promise.resolve();
    counters.beaconed += sent.length;
    for (const [k] of sent) cache.delete(k);
    return queue.markInflight(sent, t).catch((err: unknown) => diag.warn('B18' /* marking beaconed records failed */, err));
  }

  return {
    run,
    schedule,
    online() {
      attempt = 0;
      retryAt = 0;
      schedule(0);
    },
    setVisible(v) {
      visible = v;
      if (v) return schedule(0);
      // Hidden: beacon first (as the sender, if this tab is), give the lock up once the marks are stored.
      void beacon().then(() => {
        if (!visible && !running) lock.release();
      });
    },
    beacon,
    async stop() {
      stopped = true;
      if (soon !== undefined) timers.clearTimeout(soon);
      if (tick !== undefined) timers.clearTimeout(tick);
      soon = tick = undefined;
      if (running) await running;
      lock.release();
    },
  };
}
