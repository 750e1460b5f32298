/**
 * The write-ahead queue. `push` is the hot path: it appends to an in-memory buffer and schedules one
 * microtask, nothing else (about 0.1 µs). The microtask writes the whole buffer in one IndexedDB
 * transaction, so a burst of 1,000 log calls costs one transaction, off the caller's stack. Records are
 * deleted only after the sender got a 2xx. Bounds are enforced with a count/bytes estimate kept from
 * this tab's own writes and the store's counts; when it passes a bound, an exact trim drops the oldest
 * records down to 90% of the bound (so the next trim is hundreds of records away, not on every write).
 * When the store fails (private mode, quota, blocked), the queue moves to memory and the page goes on.
 */
import type { Diag } from '../../shared/diag.js';
import type { LogRecord } from '../../shared/model.js';
import type { OtlpMetricRecord, OtlpSpanRecord } from '../../shared/otlp/types.js';
import { utf8Length } from '../utf8.js';
import { createMemoryStore } from './memory-store.js';
import { isKnownKind } from './validate.js';
import type { DropCounts, KeyedEntry, QueueEntry, QueueStore, ReadResult, StoreChange } from './types.js';

export interface QueueOptions {
  store: QueueStore;
  /** The bounds (named as the init options: init passes its options). */
  maxQueueRecords: number;
  maxQueueBytes: number;
  diag: Diag;
  /** Queue key of a span (logs use their record_id). */
  newKey: () => string;
  /** Reports local drops (health counters). */
  onDrop: (reason: string, n: number) => void;
  /** Called after each write that changed what is queued (`added`: new records were stored). */
  onChange: (added: boolean) => void;
  /** Runs (synchronously) at the start of every read, before anything is read: the page-close rescue's replay. */
  prepare?: () => void;
  /** Defaults to a microtask. */
  schedule?: (fn: () => void) => void;
  fallback?: () => QueueStore;
}

export interface Queue {
  /** `key`: a record queued again under its key (the page-close rescue of an earlier page). */
  push(kind: 'log', record: LogRecord, key?: string): void;
  push(kind: 'span', record: OtlpSpanRecord, key?: string): void;
  push(kind: 'metric', record: OtlpMetricRecord, key?: string): void;
  /** Writes the buffer now; resolves when it is stored (or in the fallback store). Never rejects. */
  persist(): Promise<void>;
  read(limit: number, accept: (e: QueueEntry) => boolean): Promise<ReadResult>;
  /** Deletes delivered or dropped records. */
  remove(keys: string[], dropped?: DropCounts): Promise<void>;
  /** Marks records as given to sendBeacon (they wait for the next load before being re-sent). */
  markInflight(entries: KeyedEntry[], sentAt: number): Promise<void>;
  takeDropped(): Promise<DropCounts>;
  /** Records not yet confirmed in the store (being written, or waiting to be), for the page-hide path. */
  buffered(): KeyedEntry[];
  /** This tab's records not yet removed (written or not), oldest first: what this tab beacons on page hide. */
  own(): KeyedEntry[];
  /** Forgets written records (another tab is the sender: they are its to send, not this tab's to beacon). */
  forgetWritten(): void;
  /** Estimated records queued in the store plus the buffer. */
  size(): number;
  storageKind(): 'indexeddb' | 'memory';
}

/** Until this tab has written records of its own, other tabs' records are assumed this large. */
const ASSUMED_RECORD_BYTES = 600;

/** A microtask (a promise reaction is one, as queueMicrotask's: one allocation per burst, not per push). */
const defaultSchedule = (fn: () => void): void => void Promise.resolve().then(fn);

// Over 60 lines on purpose: split into 60-line functions, the lite build grew 204 B gzip, over its 12 KB budget.
export function createQueue(opts: QueueOptions): Queue {
  const { maxQueueRecords: maxRecords, maxQueueBytes: maxBytes, diag } = opts;
  const schedule = opts.schedule || defaultSchedule;
  const fallback = opts.fallback || createMemoryStore;
  let store = opts.store;
  let buffer: KeyedEntry[] = [];
  /** The batch being written: a page that unloads now may lose this transaction, so it is still beaconed. */
  let inWrite: KeyedEntry[] = [];
  /** This tab's written records not yet removed: the page-hide path cannot read IndexedDB synchronously. */
  const written = new Map<string, QueueEntry>();
  let scheduled = false;
  let estCount = 0;
  let estBytes = 0;
  let pendingDrops: DropCounts | undefined;
  // Store operations run one after another, so the fallback switch sees them in order.
  let chain: Promise<unknown> = Promise.resolve();

  const drop = (reason: string, n: number): void => {
    opts.onDrop(reason, n);
    pendingDrops = pendingDrops || {};
    pendingDrops[reason] = (pendingDrops[reason] || 0) + n;
  };

  /** Runs op on the store; on failure moves to memory and runs it there. */
  const guarded = <T>(op: (s: QueueStore) => Promise<T>): Promise<T> => {
    const next = chain.then(() =>
      op(store).catch((err: unknown) => {
        if (store.kind === 'memory') throw err;
        diag.warn('B11' /* IndexedDB unavailable, queueing in memory */, err);
        diag.count('queue.storage_fallback');
        store = fallback();
        return op(store);
      }),
    );
    chain = next.catch(() => undefined); // the caller of `next` sees the error; the chain goes on
    return next;
  };

  const trimIfNeeded = async (): Promise<void> => {
    if (estCount <= maxRecords && estBytes <= maxBytes) return;
    const r = await guarded((s) => s.trim(Math.floor(maxRecords * 0.9), Math.floor(maxBytes * 0.9)));
    estCount = r.count;
    estBytes = r.bytes;
    if (r.removed > 0) opts.onDrop('queue_full', r.removed);
  };

  const writeBuffer = async (): Promise<void> => {
    const batch = buffer;
    buffer = [];
    const put: KeyedEntry[] = [];
    for (const kv of batch) {
      try {
        kv[1].bytes = utf8Length(JSON.stringify(kv[1].record));
        put.push(kv);
      } catch (err) {
        // Records are sanitized plain JSON; this is a bug or a beforeSend returning something odd.
        diag.warn('B12' /* record could not be serialized, dropped */, err);
        drop('unserializable', 1);
      }
    }
    const change: StoreChange = { put, dropped: pendingDrops };
    pendingDrops = undefined;
    inWrite = put;
    try {
      await guarded((s) => s.write(change));
      inWrite = [];
      for (const [k, e] of put) {
        estBytes += e.bytes;
        written.set(k, e);
      }
      // Bounded like the queue: the oldest go first (a Map iterates in insertion order).
      for (const k of written.keys()) {
        if (written.size <= maxRecords) break;
        written.delete(k);
      }
      estCount += put.length;
      await trimIfNeeded();
    } catch (err) {
      // Even the memory store failed: nothing can hold these records.
      inWrite = [];
      diag.error('B13' /* queue write failed, records dropped */, err);
      opts.onDrop('storage_failed', put.length);
    }
    opts.onChange(put.length > 0);
  };

  // One write at a time: while one is in progress the buffer grows, and the next write takes all of it,
  // so a page logging faster than IndexedDB commits gets fewer, larger transactions (bounded buffer).
  let writing: Promise<void> | undefined;
  const persist = (): Promise<void> => {
    scheduled = false;
    if (writing) return writing.then(persist);
    if (buffer.length === 0 && !pendingDrops) return Promise.resolve();
    const clear = (): void => {
      writing = undefined;
    };
    const w = writeBuffer().then(clear, (err: unknown) => {
      clear();
      diag.error('B14' /* queue write failed */, err);
    });
    writing = w;
    return w;
  };

  function push(kind: QueueEntry['kind'], record: QueueEntry['record'], key = kind === 'log' ? (record as LogRecord).record_id : opts.newKey()): void {
    buffer.push([key, { kind, record, bytes: 0, state: 'pending' } as QueueEntry]);
    if (buffer.length > maxRecords + (maxRecords >> 4)) {
      // The store is not keeping up (a long IndexedDB stall): keep the newest. Cut in steps of 1/16 so
      // the copy is amortized, not paid on every call.
      const excess = buffer.length - maxRecords;
      buffer.splice(0, excess);
      drop('queue_full', excess);
    }
    if (!scheduled) {
      scheduled = true;
      schedule(() => void persist());
    }
  }

  return {
    push: push as Queue['push'],
    persist,
    async read(limit, accept) {
      if (opts.prepare) opts.prepare();
      await persist();
      // Never an entry of a kind this version cannot send (a later version's, validate.ts): it stays queued.
      const r = await guarded((s) => s.read(limit, (e) => isKnownKind(e) && accept(e)));
      estBytes = (estCount > 0 ? estBytes / estCount : ASSUMED_RECORD_BYTES) * r.total;
      estCount = r.total;
      return r;
    },
    async remove(keys, dropped) {
      if (keys.length === 0 && !dropped) return;
      for (const k of keys) written.delete(k);
      await guarded((s) => s.write({ del: keys, dropped }));
      estBytes = estCount > 0 ? (estBytes / estCount) * Math.max(0, estCount - keys.length) : 0;
      estCount = Math.max(0, estCount - keys.length);
      opts.onChange(false);
    },
    async markInflight(entries, sentAt) {
      const put: KeyedEntry[] = [];
      const inBuffer = new Set(buffer.map((kv) => kv[0]));
      for (const [k, e] of entries) {
        e.state = 'inflight';
        e.sentAt = sentAt;
        // Entries still in the buffer are written (as inflight) by the next persist.
        if (!inBuffer.has(k)) put.push([k, e]);
      }
      if (put.length > 0) await guarded((s) => s.write({ mark: put }));
    },
    takeDropped: () => guarded((s) => s.takeDropped()),
    buffered: () => (inWrite.length > 0 ? inWrite.concat(buffer) : buffer),
    forgetWritten: () => written.clear(),
    // An array, not a generator: with async generators lowered for zone.js, `yield*` brings in esbuild's
    // __yieldStar helper (0.2 KB gzipped). This runs on page hide only.
    own: () => Array.from(written).concat(inWrite, buffer),
    size: () => estCount + buffer.length,
    storageKind: () => store.kind,
  };
}
