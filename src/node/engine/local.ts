import type { Batch } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import type { BackendHealth } from '../backends/types.js';
import type { OpenedBackend } from '../open-backends.js';
import { comparePos } from './cursor.js';
import type { AppendResult, WriteAheadLog } from './wal.js';
import { openProcessLog } from './open-log.js';
import { startSinks, type RunningSinks } from './sinks.js';
import { recordCount, splitBatch } from './batch-utils.js';
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

interface Running extends RunningSinks {
  list: OpenedBackend[];
}

/**
 * The Node SDK's side of the delivery engine: the same durable log and dispatcher per sink as the ingest, in
 * this process. A batch is appended to the log (group-committed) the moment the logger hands it over; each
 * network sink reads it from there with its own cursor, retry policy and breaker. A sink that is down only
 * lets its cursor fall behind: its records wait in the log and are delivered when it answers, also by the
 * next process on the same data_dir.
 */
export async function openLocalEngine(opened: OpenedBackend[], o: LocalEngineOptions): Promise<LocalEngine> {
  const wal = await openProcessLog(o.dataDir, { maxBytes: o.maxBytes, readers: opened.map((b) => b.name), diag: o.diag });
  const engine = new LocalDelivery(wal, o, opened);
  const left = Math.max(0, ...opened.map((b) => wal.reader(b.name).waiting()));
  if (left > 0) o.diag.warn(`delivery: ${left} record(s) left on disk by a previous run are delivered first`);
  return engine;
}

class LocalDelivery implements LocalEngine {
  readonly name = 'delivery';
  private readonly pending = new Set<Promise<void>>();
  private pendingRecords = 0;
  private dropped = 0;
  private lastError: { last_error: string; last_error_at: string } | undefined;
  private closed = false; // no more enqueues
  private finished = false; // the dispatchers and the log are closed
  private closing: Promise<void> | undefined;
  /** drop_oldest, one batch at a time (makeRoom). */
  private overflow: Promise<AppendResult> = Promise.resolve({ ok: true, seq: 0 });
  private sinks: Running;

  constructor(
    private readonly wal: WriteAheadLog,
    private readonly o: LocalEngineOptions,
    opened: OpenedBackend[],
  ) {
    this.sinks = this.start(opened);
  }

  enqueue(batch: Batch): void {
    try {
      const n = recordCount(batch);
      if (n === 0) return;
      if (this.closed) return this.drop(n, 'enqueued after close');
      if (this.pendingRecords + n > this.o.maxPendingRecords) return this.drop(n, `more than queue.max_records (${this.o.maxPendingRecords}) records wait for the disk`);
      this.pendingRecords += n;
      const p: Promise<void> = this.append(batch, n)
        .catch((err: unknown) => this.drop(n, `append failed: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          this.pendingRecords -= n;
          this.pending.delete(p);
        });
      this.pending.add(p);
    } catch (err) {
      this.o.diag.error('delivery: enqueue failed', err);
    }
  }

  /** Resolves once everything enqueued is on disk, and delivered by every sink that is not failing. */
  async flush(): Promise<void> {
    // Whoever awaits flush() wants these records delivered or on disk first, even if nothing else keeps the
    // process alive (the dispatcher's timers are unref'd: records on disk must not hold a process open).
    const keepAlive = setInterval(() => undefined, 60_000);
    try {
      await Promise.all([...this.pending]);
      const head = this.wal.head;
      const behind = () => this.sinks.targets.some((t) => !t.retrying() && comparePos(this.wal.reader(t.name).position(), head) < 0);
      while (!this.finished && behind()) await new Promise((r) => setTimeout(r, 2));
    } finally {
      clearInterval(keepAlive);
    }
  }

  log(): { bytes: number; max_bytes: number; refusing?: string } {
    const st = this.wal.status();
    return { bytes: this.wal.sizeBytes(), max_bytes: this.wal.maxBytes, ...(st.full && !this.finished ? { refusing: st.message } : {}) };
  }

  health(): BackendHealth[] {
    return this.sinks.dispatcher.health().map((h, i): BackendHealth => {
      const retrying = h.state === 'healthy' && this.sinks.targets[i]?.retrying();
      const out: BackendHealth = {
        name: h.name,
        state: this.finished ? 'closed' : retrying ? 'retrying' : h.state,
        waiting_on_disk: h.waiting_on_disk,
        delivered: h.delivered,
        dead_lettered: h.dead_lettered,
        dropped: h.dropped + this.dropped,
      };
      return withLatestError(out, [h.last_error_at ? { last_error: h.last_error!, last_error_at: h.last_error_at } : undefined, this.sinks.targets[i]?.lastError(), this.lastError]);
    });
  }

  async setSinks(list: OpenedBackend[]): Promise<void> {
    const old = this.sinks;
    await this.stop(old);
    const names = new Set(list.map((b) => b.name));
    for (const b of old.list) if (!names.has(b.name)) await this.wal.removeReader(b.name);
    for (const b of list) await this.wal.addReader(b.name);
    this.sinks = this.start(list);
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      this.closed = true;
      await this.flush();
      await this.stop(this.sinks);
      await this.wal.close();
      this.finished = true;
    })());
  }

  private start(list: OpenedBackend[]): Running {
    const { diag, batchSize, dataDir } = this.o;
    return { list, ...startSinks({ wal: this.wal, sinks: list, dataDir, batchSize, diag }) };
  }

  private async stop(r: Running): Promise<void> {
    await r.stop();
  }

  private drop(n: number, reason: string): void {
    this.dropped += n;
    this.lastError = { last_error: `${n} record(s) dropped: ${reason}`, last_error_at: new Date().toISOString() };
    this.o.diag.count('delivery.dropped', n);
    this.o.diag.error(`delivery: records dropped: ${reason}`);
  }

  private async append(batch: Batch, n: number): Promise<void> {
    let r = await this.wal.append(batch);
    if (!r.ok && r.reason === 'too_large' && n > 1) {
      // Larger than a segment (a small max_disk_bytes): in halves, each as its own frame.
      const [a, b] = splitBatch(batch, Math.ceil(n / 2));
      await Promise.all([this.append(a, Math.ceil(n / 2)), this.append(b, n - Math.ceil(n / 2))]);
      return;
    }
    if (!r.ok && r.reason === 'full' && this.o.overflow === 'drop_oldest') r = await (this.overflow = this.overflow.then(() => this.makeRoom(batch)));
    if (!r.ok) this.drop(n, r.reason === 'full' ? `${r.message} (queue.overflow: ${this.o.overflow})` : r.message);
  }

  /** Once the appends under way are written, the oldest segments go until the batch fits. */
  private async makeRoom(batch: Batch): Promise<AppendResult> {
    for (;;) {
      await this.wal.idle();
      const r = await this.wal.append(batch);
      if (r.ok || r.reason !== 'full') return r;
      const lost = await this.wal.dropOldest();
      if (lost > 0) this.drop(lost, 'the durable log is full (queue.overflow: drop_oldest)');
      else if (this.wal.segmentList().length < 2) return r;
    }
  }
}

type LastError = { last_error: string; last_error_at: string } | undefined;

/** The health entry with the most recent of the errors known for its sink. */
function withLatestError(h: BackendHealth, errors: LastError[]): BackendHealth {
  let latest: LastError;
  for (const e of errors) if (e && (!latest || e.last_error_at > latest.last_error_at)) latest = e;
  return latest ? { ...h, ...latest } : h;
}
