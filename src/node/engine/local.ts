import type { Batch } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import type { BackendHealth } from '../backends/types.js';
import type { OpenedBackend } from '../open-backends.js';
import { comparePos } from './cursor.js';
import { startDispatcher, type Dispatcher } from './dispatcher.js';
import type { AppendResult } from './wal.js';
import { createDeadLetters } from './dead-letters.js';
import { openProcessLog } from './open-log.js';
import { engineTarget, type EngineTarget } from './target.js';
import type { DeliveryChannel } from './types.js';

export interface LocalEngineOptions {
  /** The logger's data_dir: the durable log (`delivery/`), cursors and dead letters live under it. */
  dataDir: string;
  /** The durable log's byte budget (`queue.max_disk_bytes`). */
  maxBytes: number;
  /** When the log is full: refuse the new records, or give up the oldest segment (`queue.overflow`). */
  overflow: 'drop_newest' | 'drop_oldest';
  /** Records handed over but not yet on disk (`queue.max_records`); beyond it new records are dropped. */
  maxPendingRecords: number;
  /** Records per sink write unless the sink sets its own `batch_size` (`queue.batch_size`). */
  batchSize: number;
  diag: Diag;
}

export interface LocalEngine extends Omit<DeliveryChannel, 'health'> {
  health(): BackendHealth[];
  /** The durable log: bytes used, the budget, and why new records are refused now (if they are). */
  log(): { bytes: number; max_bytes: number; refusing?: string };
  /** Replaces the sinks (a configuration reload): a kept sink resumes at its cursor, a new one starts at the end. */
  setSinks(opened: OpenedBackend[]): Promise<void>;
}

interface Running {
  list: OpenedBackend[];
  targets: EngineTarget[];
  abort: AbortController;
  dispatcher: Dispatcher;
}

/**
 * The Node SDK's side of the delivery engine: the same durable log and dispatcher per sink as the ingest, in
 * this process. A batch is appended to the log (group-committed) the moment the logger hands it over; each
 * network sink reads it from there with its own cursor, retry policy and breaker. A sink that is down only
 * lets its cursor fall behind: its records wait in the log and are delivered when it answers, also by the
 * next process on the same data_dir.
 */
export async function openLocalEngine(opened: OpenedBackend[], o: LocalEngineOptions): Promise<LocalEngine> {
  const { diag } = o;
  const wal = await openProcessLog(o.dataDir, { maxBytes: o.maxBytes, readers: opened.map((b) => b.name), diag });
  const waiting = wal.reader.bind(wal);
  const deadLetters = createDeadLetters(o.dataDir);
  const pending = new Set<Promise<void>>();
  let pendingRecords = 0;
  let dropped = 0;
  let lastError: { last_error: string; last_error_at: string } | undefined;
  let closed = false; // no more enqueues
  let finished = false; // the dispatchers and the log are closed
  let closing: Promise<void> | undefined;

  const start = (list: OpenedBackend[]): Running => {
    const abort = new AbortController();
    const targets = list.map((b) => engineTarget(b, abort.signal, diag, o.batchSize));
    const dispatcher = startDispatcher({ wal, targets, diag, batchSize: o.batchSize, onRejected: (name, items, batch) => deadLetters.write(name, items, batch) });
    return { list, targets, abort, dispatcher };
  };
  let sinks = start(opened);
  const left = Math.max(0, ...opened.map((b) => wal.reader(b.name).waiting()));
  if (left > 0) diag.warn(`delivery: ${left} record(s) left on disk by a previous run are delivered first`);

  const drop = (n: number, reason: string) => {
    dropped += n;
    lastError = { last_error: `${n} record(s) dropped: ${reason}`, last_error_at: new Date().toISOString() };
    diag.count('delivery.dropped', n);
    diag.error(`delivery: records dropped: ${reason}`);
  };

  const append = async (batch: Batch, n: number): Promise<void> => {
    let r = await wal.append(batch);
    if (!r.ok && r.reason === 'full' && o.overflow === 'drop_oldest') r = await (overflow = overflow.then(() => makeRoom(batch)));
    if (!r.ok) drop(n, r.reason === 'full' ? `${r.message} (queue.overflow: ${o.overflow})` : r.message);
  };

  /** drop_oldest, one batch at a time: once the appends under way are written, oldest segments go until it fits. */
  let overflow: Promise<AppendResult> = Promise.resolve({ ok: true, seq: 0 });
  const makeRoom = async (batch: Batch): Promise<AppendResult> => {
    for (;;) {
      await wal.idle();
      const r = await wal.append(batch);
      if (r.ok || r.reason !== 'full') return r;
      const lost = await wal.dropOldest();
      if (lost > 0) drop(lost, 'the durable log is full (queue.overflow: drop_oldest)');
      else if (wal.segmentList().length < 2) return r;
    }
  };

  const flush = async (): Promise<void> => {
    // Whoever awaits flush() wants these records delivered or on disk first, even if nothing else keeps the
    // process alive (the dispatcher's timers are unref'd: records on disk must not hold a process open).
    const keepAlive = setInterval(() => undefined, 60_000);
    try {
      await Promise.all([...pending]);
      const head = wal.head;
      const behind = () => sinks.targets.filter((t) => !t.retrying() && comparePos(waiting(t.name).position(), head) < 0);
      while (!finished && behind().length > 0) await new Promise((r) => setTimeout(r, 2));
    } finally {
      clearInterval(keepAlive);
    }
  };

  const stop = async (r: Running): Promise<void> => {
    r.abort.abort();
    await r.dispatcher.close();
    await Promise.all(r.list.map((b) => b.backend.close().catch((err: unknown) => diag.error(`closing ${b.name} failed`, err))));
  };

  return {
    name: 'delivery',
    enqueue(batch) {
      try {
        const n = batch.logs.length + batch.spans.length;
        if (n === 0) return;
        if (closed) return drop(n, 'enqueued after close');
        if (pendingRecords + n > o.maxPendingRecords) return drop(n, `more than queue.max_records (${o.maxPendingRecords}) records wait for the disk`);
        pendingRecords += n;
        const p: Promise<void> = append(batch, n)
          .catch((err: unknown) => drop(n, `append failed: ${err instanceof Error ? err.message : String(err)}`))
          .finally(() => {
            pendingRecords -= n;
            pending.delete(p);
          });
        pending.add(p);
      } catch (err) {
        diag.error('delivery: enqueue failed', err);
      }
    },
    flush,
    log: () => {
      const st = wal.status();
      return { bytes: wal.sizeBytes(), max_bytes: wal.maxBytes, ...(st.full && !finished ? { refusing: st.message } : {}) };
    },
    health: () =>
      sinks.dispatcher.health().map((h, i): BackendHealth => {
        const retrying = h.state === 'healthy' && sinks.targets[i]?.retrying();
        const out: BackendHealth = {
          name: h.name,
          state: finished ? 'closed' : retrying ? 'retrying' : h.state,
          waiting_on_disk: h.waiting_on_disk,
          delivered: h.delivered,
          dead_lettered: h.dead_lettered,
          dropped: h.dropped + dropped,
        };
        const err = h.last_error_at && (!lastError || h.last_error_at > lastError.last_error_at) ? { last_error: h.last_error!, last_error_at: h.last_error_at } : lastError;
        return err ? { ...out, ...err } : out;
      }),
    async setSinks(list) {
      const old = sinks;
      await stop(old);
      const names = new Set(list.map((b) => b.name));
      for (const b of old.list) if (!names.has(b.name)) await wal.removeReader(b.name);
      for (const b of list) await wal.addReader(b.name);
      sinks = start(list);
    },
    close: () =>
      (closing ??= (async () => {
        closed = true;
        await flush();
        await stop(sinks);
        await wal.close();
        await deadLetters.close();
        finished = true;
      })()),
  };
}
