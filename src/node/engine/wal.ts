import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Batch } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import { errorMessage } from '../../shared/result.js';
import { encodeFrame, type EncodedFrame } from './frames.js';
import { createInterner } from './intern.js';
import { createCursorStore, type Position, comparePos } from './cursor.js';
import { FrameCache } from './cache.js';
import { acquireDirLock, type DirLock } from './lock.js';
import { SEGMENT_RE, segName, scanSegment, readSegments, countOnDisk, segmentBytesFor, effectiveSegment, syncDir, type Segment, type WalEntry, type ScanOptions } from './segments.js';

export type { WalEntry } from './segments.js';

/**
 * The durable log of the delivery engine, used by the ingest and by the Node SDK alike: append-only segment
 * files of CRC-framed batches.
 *
 * - `append` resolves only after the batch is on disk (fdatasync). Appends that arrive while a write is in
 *   progress are written and synced together (group commit): one fsync serves every producer of that round.
 * - Each consumer (one per sink) has a named cursor, persisted by atomic rename after each delivered batch;
 *   after a restart it resumes there (re-delivering at most the batches in flight, which idempotent ids absorb).
 * - The byte budget is the user's; segments are at most a quarter of it (segments.ts), so any budget works.
 *   Segments every cursor has passed are deleted, the last one too: once every reader has drained it, the
 *   next append starts a fresh segment and the drained one goes. A full log refuses appends (the ingest
 *   answers 503 + Retry-After; the SDK applies its overflow policy) rather than dropping anything, and says
 *   so in status() until space is freed, so /health and the answer to a POST never disagree.
 * - Recent entries stay in memory (cache.ts), so consumers that keep up never read the disk.
 * - One live process per directory (a `lock` file holding its pid).
 */
export interface WalOptions {
  dir: string;
  maxBytes: number;
  /** Consumers whose cursors hold segments alive. */
  readers: string[];
  segmentBytes?: number;
  cacheBytes?: number;
  /**
   * The readers live elsewhere (a follower in the dispatch worker, follower.ts): this log only appends, keeps
   * no cache, and deletes no segment; the follower deletes those every cursor has passed and `release`
   * gives their bytes back to the budget.
   */
  external?: boolean;
  diag: Diag;
}

export type AppendResult = { ok: true; seq: number } | { ok: false; reason: 'full' | 'closed' | 'io'; message: string };

export interface WalReader {
  readonly name: string;
  /**
   * Entries after the committed cursor (or after `from`, a position this reader was given and has not yet
   * committed: how a consumer keeps several batches in flight), at least one frame and about `maxRecords`
   * records; [] when caught up.
   */
  read(maxRecords: number, from?: Position): Promise<WalEntry[]>;
  /** Marks everything up to `end` delivered. */
  commit(end: Position): Promise<void>;
  /** Records appended but not yet committed by this reader. */
  waiting(): number;
  /** The committed cursor. */
  position(): Position;
}

interface Pending {
  frame: EncodedFrame;
  seq: number;
  /** For the cache; not kept with external readers, so the records die young (see append). */
  batch?: Batch;
  count: number;
  resolve(r: AppendResult): void;
}

/** What a commit round made durable: the new end of the log, the records it added, and its frames. */
export interface Committed {
  head: Position;
  records: number;
  frames: CommittedFrame[];
}

/** One frame as written: where it is, its record count, and its payload (no longer used by the log). */
export interface CommittedFrame {
  start: Position;
  end: Position;
  count: number;
  crc: number;
  payload: Buffer;
}

/** Whether appends are refused now, and why (the same words a refused append gets). */
export interface WalStatus {
  full: boolean;
  message?: string;
}

export class WriteAheadLog {
  private segments: Segment[] = [];
  private fh: fsp.FileHandle | null = null;
  private nextSeq = 1;
  private totalBytes = 0;
  private pending: Pending[] = [];
  private writing = false;
  private closed = false;
  /** The last append was refused for the budget and nothing was freed since. */
  private refused: string | undefined;
  /** Every reader has passed the end of the last segment: the next append starts a new one. */
  private drained = false;
  private lock: DirLock | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly committedListeners = new Set<(c: Committed) => void>();
  private readonly readerState = new Map<string, { cursor: Position; waiting: number }>();
  private readonly segmentBytes: number;
  private readonly cache: FrameCache;
  private readonly cursors;
  private readonly interner = createInterner();
  private readonly scan: ScanOptions;

  private constructor(private readonly opts: WalOptions) {
    this.segmentBytes = opts.segmentBytes ?? segmentBytesFor(opts.maxBytes);
    this.cache = new FrameCache(opts.cacheBytes ?? 64 * 1024 * 1024);
    this.cursors = createCursorStore(path.join(opts.dir, 'cursors'));
    this.scan = { dir: opts.dir, diag: opts.diag, share: this.interner.intern };
  }

  static async open(opts: WalOptions): Promise<WriteAheadLog> {
    const wal = new WriteAheadLog(opts);
    await fsp.mkdir(opts.dir, { recursive: true });
    wal.lock = await acquireDirLock(opts.dir);
    try {
      await wal.recover();
    } catch (err) {
      await wal.lock.release();
      throw err;
    }
    return wal;
  }

  get head(): Position {
    const last = this.segments[this.segments.length - 1];
    return { segment: last.index, offset: last.size };
  }

  sizeBytes(): number {
    return this.totalBytes;
  }

  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  status(): WalStatus {
    if (this.closed) return { full: true, message: 'the write-ahead log is closed' };
    return this.refused ? { full: true, message: this.refused } : { full: false };
  }

  /** Called after every append round (the dispatcher waits on it instead of polling). */
  onAppend(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Called after each commit round, before its appends resolve: a follower in another thread learns the new
   * end, and whoever counts waiting records has counted these before any client sees its 2xx.
   */
  onCommitted(fn: (c: Committed) => void): () => void {
    this.committedListeners.add(fn);
    return () => this.committedListeners.delete(fn);
  }

  append(batch: Batch): Promise<AppendResult> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'closed', message: 'the write-ahead log is closed' });
    const seq = this.nextSeq;
    // With external readers nothing here reads the records again: they are not interned (the follower interns
    // what it decodes) and not held until the fsync, so a scavenge finds them dead instead of copying them
    // (measured: ~15 MB survived each scavenge of the ingest's main thread while 8 requests awaited their fsync).
    if (!this.opts.external) this.interner.internBatch(batch);
    const frame = encodeFrame(seq, batch);
    // A drained last segment is as good as free: this append starts a new segment and the drained one goes.
    const reclaimable = this.drained ? this.segments[this.segments.length - 1].size : 0;
    if (this.totalBytes - reclaimable + frame.length > this.opts.maxBytes) {
      this.refused = `write-ahead log full (${this.totalBytes} of ${this.opts.maxBytes} bytes)`;
      return Promise.resolve({ ok: false, reason: 'full', message: this.refused });
    }
    this.nextSeq++;
    this.totalBytes += frame.length; // reserved now so concurrent appends respect the budget
    return new Promise((resolve) => {
      this.pending.push({ frame, seq, batch: this.opts.external ? undefined : batch, count: batch.logs.length + batch.spans.length, resolve });
      if (!this.writing) void this.writeLoop();
    });
  }

  /** The segment files and their sizes now (what a follower starts from). */
  segmentList(): Segment[] {
    return this.segments.map((s) => ({ ...s }));
  }

  /** With `external` readers: segments up to `index` were deleted by the follower; their bytes are free again. */
  release(index: number): void {
    while (this.segments.length > 1 && this.segments[0].index <= index) this.freed(this.segments.shift()!.size);
  }

  /** With `external` readers: every reader has delivered everything up to `head`; its segment may go. */
  markDrained(head: Position): void {
    if (comparePos(head, this.head) === 0 && head.offset > 0) this.drained = true;
  }

  reader(name: string): WalReader {
    const state = this.readerState.get(name);
    if (!state) throw new Error(`write-ahead log: unknown reader "${name}" (declare it in WalOptions.readers)`);
    return {
      name,
      read: (maxRecords, from) => this.readFrom(from && comparePos(from, state.cursor) > 0 ? from : state.cursor, maxRecords),
      commit: async (end) => {
        if (comparePos(end, state.cursor) <= 0) return;
        // Count first, subtract after: `waiting -= await ...` would read `waiting` before the await and lose
        // the appends that land while the count reads the disk.
        const delivered = await this.countBetween(state.cursor, end);
        state.waiting -= delivered;
        state.cursor = end;
        this.cache.trim(this.minCursor());
        await this.cursors.save(name, end);
        await this.collect();
      },
      waiting: () => state.waiting,
      position: () => state.cursor,
    };
  }

  /** A consumer added while running (a configuration reload): it starts at its saved cursor, else at the end. */
  async addReader(name: string): Promise<void> {
    if (this.readerState.has(name)) return;
    const cursor = (await this.cursors.load(name)) ?? this.head;
    const known = this.segments.some((s) => s.index === cursor.segment) && comparePos(cursor, this.head) <= 0;
    const start = known ? cursor : this.head;
    this.readerState.set(name, { cursor: start, waiting: await this.countBetween(start, this.head) });
  }

  /** A consumer removed for good: its cursor no longer holds segments. */
  async removeReader(name: string): Promise<void> {
    if (!this.readerState.delete(name)) return;
    await this.cursors.remove(name);
    await this.collect();
  }

  /**
   * The `drop_oldest` overflow policy: every cursor still in the oldest segment skips past it, and it is
   * deleted. Returns the records that some reader had not delivered (0 when there is only one segment).
   */
  async dropOldest(): Promise<number> {
    if (this.opts.external || this.segments.length < 2) return 0;
    const next = { segment: this.segments[1].index, offset: 0 };
    let dropped = 0;
    for (const [name, s] of this.readerState) {
      if (comparePos(s.cursor, next) >= 0) continue;
      const n = await this.countBetween(s.cursor, { segment: this.segments[0].index, offset: this.segments[0].size });
      dropped = Math.max(dropped, n);
      s.waiting -= n;
      s.cursor = next;
      await this.cursors.save(name, next);
    }
    await this.collect();
    return dropped;
  }

  /** Resolves once the appends under way are written (or failed). */
  async idle(): Promise<void> {
    while (this.writing) await new Promise((r) => setTimeout(r, 1));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing) await new Promise((r) => setTimeout(r, 1));
    await this.fh?.close();
    this.fh = null;
    await this.lock?.release();
  }

  private freed(bytes: number): void {
    this.totalBytes -= bytes;
    if (bytes > 0) this.refused = undefined;
  }

  private minCursor(): Position | undefined {
    let min: Position | undefined;
    for (const s of this.readerState.values()) if (!min || comparePos(s.cursor, min) < 0) min = s.cursor;
    return min;
  }

  private async writeLoop(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        await this.writeGroup(this.takeGroup());
        // After every round, not once the queue is empty: under steady load it never is, and the
        // dispatchers would sleep until the load paused (seen: nothing delivered during a 2 s burst).
        for (const fn of this.listeners) fn();
      }
    } finally {
      this.writing = false;
    }
  }

  /** The appends of one round: all that wait, but no more than fit the current segment (at least one). */
  private takeGroup(): Pending[] {
    const last = this.segments[this.segments.length - 1];
    const room = last.size >= this.segmentBytes || this.drained ? this.segmentBytes : this.segmentBytes - last.size;
    let n = 0;
    for (let bytes = 0; n < this.pending.length && (n === 0 || bytes + this.pending[n].frame.length <= room); n++) bytes += this.pending[n].frame.length;
    if (n === this.pending.length) {
      const all = this.pending;
      this.pending = [];
      return all;
    }
    return this.pending.splice(0, n);
  }

  private async writeGroup(group: Pending[]): Promise<void> {
    let seg = this.segments[this.segments.length - 1];
    try {
      if (seg.size >= this.segmentBytes || (this.drained && seg.size > 0)) seg = await this.rotate();
      await this.writeFrames(seg, group);
    } catch (err) {
      // Cut any partial frame so the log stays valid, and fail this round's requests (clients retry).
      await this.fh?.truncate(seg.size).catch(() => undefined);
      for (const g of group) {
        this.totalBytes -= g.frame.length;
        g.resolve({ ok: false, reason: 'io', message: `write-ahead log: ${errorMessage(err)}` });
      }
      this.opts.diag.error('write-ahead log append failed', err);
      return;
    }
    this.committed(seg, group);
  }

  private async writeFrames(seg: Segment, group: Pending[]): Promise<void> {
    const fh = this.fh!;
    const parts = group.flatMap((g) => g.frame.parts);
    let off = (await fh.writev(parts, seg.size)).bytesWritten;
    const total = group.reduce((a, g) => a + g.frame.length, 0);
    if (off < total) {
      // A short write (rare: a signal, a nearly full disk): finish it from one buffer.
      const buf = Buffer.concat(parts);
      while (off < buf.length) off += (await fh.write(buf, off, buf.length - off, seg.size + off)).bytesWritten;
    }
    await fh.datasync();
  }

  private committed(seg: Segment, group: Pending[]): void {
    let offset = seg.size;
    let records = 0;
    const frames: CommittedFrame[] = [];
    for (const g of group) {
      const start = { segment: seg.index, offset };
      offset += g.frame.length;
      const end = { segment: seg.index, offset };
      if (this.opts.external) {
        const [header, payload] = g.frame.parts;
        frames.push({ start, end, count: g.count, crc: header.readUInt32LE(4), payload });
      } else {
        this.cache.add(g.seq, g.batch!, g.count, start, end, g.frame.length);
      }
      records += g.count;
    }
    seg.size = offset;
    for (const s of this.readerState.values()) s.waiting += records;
    for (const fn of this.committedListeners) {
      try {
        fn({ head: { segment: seg.index, offset }, records, frames });
      } catch (err) {
        // The round is durable whatever a listener does: its appends must still resolve.
        this.opts.diag.error('write-ahead log: a commit listener failed', err);
      }
    }
    for (const g of group) g.resolve({ ok: true, seq: g.seq });
  }

  private async rotate(): Promise<Segment> {
    this.drained = false;
    await this.fh?.close();
    const seg = { index: this.segments[this.segments.length - 1].index + 1, size: 0 };
    this.fh = await fsp.open(path.join(this.opts.dir, segName(seg.index)), 'a+');
    await syncDir(this.opts.dir);
    this.segments.push(seg);
    void this.collect().catch((err: unknown) => this.opts.diag.error('write-ahead log: deleting a drained segment failed', err));
    return seg;
  }

  private async readFrom(cursor: Position, maxRecords: number): Promise<WalEntry[]> {
    if (comparePos(cursor, this.head) >= 0) return [];
    return this.cache.read(cursor, maxRecords, (i) => this.segments.find((s) => s.index === i)?.size ?? -1) ?? readSegments(this.scan, this.segments, cursor, maxRecords);
  }

  private async countBetween(from: Position, to: Position): Promise<number> {
    return this.cache.count(from, to) ?? countOnDisk(this.scan, this.segments, from, to);
  }

  private async recover(): Promise<void> {
    const names = (await fsp.readdir(this.opts.dir)).filter((n) => SEGMENT_RE.test(n)).sort();
    for (const n of names) {
      const st = await fsp.stat(path.join(this.opts.dir, n));
      this.segments.push({ index: Number(SEGMENT_RE.exec(n)![1]), size: st.size });
    }
    if (this.segments.length === 0) this.segments.push({ index: 1, size: 0 });
    const last = this.segments[this.segments.length - 1];
    const tail = await scanSegment(this.scan, last, 0, Number.MAX_SAFE_INTEGER, 'validate').catch(() => [] as WalEntry[]);
    this.fh = await fsp.open(path.join(this.opts.dir, segName(last.index)), 'a+');
    await syncDir(this.opts.dir);
    this.totalBytes = this.segments.reduce((a, s) => a + s.size, 0);
    if (tail.length > 0) {
      // Validation checked CRCs without parsing; parse the last frame alone for the sequence number.
      const lastStart = tail.length > 1 ? tail[tail.length - 2].end.offset : 0;
      const [lastFrame] = await scanSegment(this.scan, last, lastStart, 1, 'read');
      if (lastFrame) this.nextSeq = lastFrame.seq + 1;
    }
    for (const name of this.opts.readers) {
      const saved = await this.cursors.load(name);
      const cursor = saved ?? { segment: this.segments[0].index, offset: 0 };
      this.readerState.set(name, { cursor, waiting: await this.countBetween(cursor, this.head) });
    }
    await this.collect();
  }

  /** Deletes segments every reader has passed; marks the last one drained when every reader is at its end. */
  private async collect(): Promise<void> {
    if (this.opts.external) return;
    const head = this.head;
    let min = Number.MAX_SAFE_INTEGER;
    let atHead = true;
    for (const s of this.readerState.values()) {
      min = Math.min(min, effectiveSegment(s.cursor, this.segments));
      if (comparePos(s.cursor, head) < 0) atHead = false;
    }
    if (atHead && head.offset > 0) this.drained = true;
    while (this.segments.length > 1 && this.segments[0].index < min) {
      const seg = this.segments.shift()!;
      this.freed(seg.size);
      this.cache.dropSegment(seg.index);
      await fsp.rm(path.join(this.opts.dir, segName(seg.index)), { force: true });
    }
  }
}
