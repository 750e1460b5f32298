import { promises as fsp } from 'node:fs';
import type { Batch } from '../../shared/model.js';
import { errorMessage } from '../../shared/result.js';
import { encodeFrame } from './frames.js';
import { createInterner } from './intern.js';
import { type Position, comparePos } from './cursor.js';
import { Readers } from './readers.js';
import { FrameCache } from './cache.js';
import { acquireDirLock, type DirLock } from './lock.js';
import { readSegments, countOnDisk, segmentBytesFor, effectiveSegment, type Segment, type WalEntry, type ScanOptions } from './segments.js';
import { SegmentFiles } from './segment-files.js';
import { takeGroup, placeFrames } from './append-round.js';

export type { WalEntry } from './segments.js';
export type { WalOptions, AppendResult, WalReader, Committed, CommittedFrame, WalStatus } from './wal-types.js';
import type { WalOptions, AppendResult, WalReader, Pending, Committed, WalStatus } from './wal-types.js';

/**
 * The delivery engine's durable log (the ingest's and the Node SDK's alike): segment files of CRC-framed batches.
 * `append` resolves once the batch is fdatasync'd; appends that arrive meanwhile share the next write and fsync
 * (group commit). Each consumer has a cursor file; after a restart it resumes there (re-delivering at most the
 * batches in flight: idempotent ids absorb them). Segments are at most a quarter of the user's byte budget and
 * deleted once every cursor passed them, the last one too (the next append then starts a new one). A full log
 * refuses appends (503 at the ingest, the overflow policy in the SDK) and says so in status() until space is
 * freed, so /health and a POST's answer agree. Recent frames stay in memory (cache.ts). One process per dir.
 */
export class WriteAheadLog {
  private files!: SegmentFiles;
  private nextSeq = 1;
  private totalBytes = 0;
  private pending: Pending[] = [];
  private writing = false;
  private closed = false;
  private refused: string | undefined; // the last append was refused for the budget and nothing was freed since
  private drained = false; // every reader has passed the end of the last segment: the next append starts a new one
  private lock: DirLock | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly committedListeners = new Set<(c: Committed) => void>();
  private readonly readers: Readers;
  private readonly segmentBytes: number;
  private readonly cache: FrameCache;
  private readonly interner = createInterner();
  private readonly scan: ScanOptions;

  private constructor(private readonly opts: WalOptions) {
    this.segmentBytes = opts.segmentBytes ?? segmentBytesFor(opts.maxBytes);
    this.cache = new FrameCache(opts.cacheBytes ?? 64 * 1024 * 1024);
    this.readers = new Readers(opts.dir);
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
    return { segment: this.files.last.index, offset: this.files.last.size };
  }

  sizeBytes(): number {
    return this.totalBytes;
  }

  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  status(): WalStatus {
    const message = this.closed ? 'the write-ahead log is closed' : this.refused;
    return message ? { full: true, message } : { full: false };
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
    if (frame.length > this.segmentBytes) return Promise.resolve({ ok: false, reason: 'too_large', message: `a batch of ${frame.length} bytes is larger than a segment (${this.segmentBytes} bytes, a quarter of the budget)` });
    // A drained last segment is as good as free: this append starts a new segment and the drained one goes.
    const reclaimable = this.rotatesDrained() ? this.files.last.size : 0;
    if (this.totalBytes - reclaimable + frame.length > this.opts.maxBytes) {
      this.refused = `write-ahead log full (${this.totalBytes} of ${this.opts.maxBytes} bytes)`;
      return Promise.resolve({ ok: false, reason: 'full', message: this.refused });
    }
    this.nextSeq++;
    this.totalBytes += frame.length; // reserved now so concurrent appends respect the budget
    return new Promise((resolve) => {
      this.pending.push({ frame, seq, batch: this.opts.external ? undefined : batch, count: frame.count, resolve });
      if (!this.writing) void this.writeLoop();
    });
  }

  /** The segment files and their sizes now (what a follower starts from). */
  segmentList(): Segment[] {
    return this.files.list.map((s) => ({ ...s }));
  }

  /** With `external` readers: segments up to `index` were deleted by the follower; their bytes are free again. */
  release(index: number): void {
    const list = this.files.list;
    while (list.length > 1 && list[0].index <= index) this.freed(list.shift()!.size);
  }

  /** With `external` readers: every reader has delivered everything up to `head`; its segment may go. */
  markDrained(head: Position): void {
    if (comparePos(head, this.head) === 0 && head.offset > 0) this.drained = true;
  }

  reader(name: string): WalReader {
    const state = this.readers.get(name);
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
        this.cache.trim(this.readers.min());
        await this.readers.move(name, end);
        await this.collect();
      },
      waiting: () => state.waiting,
      position: () => state.cursor,
    };
  }

  /** A consumer added while running (a configuration reload): it starts at its saved cursor, else at the end. */
  async addReader(name: string): Promise<void> {
    const head = this.head;
    await this.readers.open(name, head, (c) => this.files.sizeOf(c.segment) >= 0 && comparePos(c, head) <= 0, (from) => this.countBetween(from, head));
  }

  /** A consumer removed for good: its cursor no longer holds segments. */
  async removeReader(name: string): Promise<void> {
    if (await this.readers.remove(name)) await this.collect();
  }

  /** `drop_oldest`: cursors skip past the oldest segment, which goes; returns the records given up (or 0). */
  async dropOldest(): Promise<number> {
    const list = this.files.list;
    if (this.opts.external || list.length < 2) return 0;
    const next = { segment: list[1].index, offset: 0 };
    let dropped = 0;
    for (const [name, s] of this.readers.entries()) {
      if (comparePos(s.cursor, next) >= 0) continue;
      const n = await this.countBetween(s.cursor, { segment: list[0].index, offset: list[0].size });
      dropped = Math.max(dropped, n);
      s.waiting -= n;
      await this.readers.move(name, next);
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
    await this.idle();
    await this.files.close();
    await this.lock?.release();
  }

  /** A drained last segment is given up at a quarter full: not a file creation + directory fsync per round. */
  private rotatesDrained(): boolean {
    return this.drained && this.files.last.size >= this.segmentBytes / 4;
  }

  private freed(bytes: number): void {
    this.totalBytes -= bytes;
    if (bytes > 0) this.refused = undefined;
  }

  private async writeLoop(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        const last = this.files.last;
        await this.writeGroup(takeGroup(this.pending, last.size >= this.segmentBytes || this.rotatesDrained() ? this.segmentBytes : this.segmentBytes - last.size));
        // After every round, not once the queue is empty: under steady load it never is, and the
        // dispatchers would sleep until the load paused (seen: nothing delivered during a 2 s burst).
        for (const fn of this.listeners) fn();
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeGroup(group: Pending[]): Promise<void> {
    let seg = this.files.last;
    try {
      if (seg.size >= this.segmentBytes || this.rotatesDrained()) seg = await this.rotate();
      await this.files.write(group.flatMap((g) => g.frame.parts), group.reduce((a, g) => a + g.frame.length, 0));
    } catch (err) {
      // Cut any partial frame so the log stays valid, and fail this round's requests (clients retry).
      await this.files.cutTail();
      for (const g of group) {
        this.totalBytes -= g.frame.length;
        g.resolve({ ok: false, reason: 'io', message: `write-ahead log: ${errorMessage(err)}` });
      }
      this.opts.diag.error('write-ahead log append failed', err);
      return;
    }
    this.committed(seg, group);
  }

  private committed(seg: Segment, group: Pending[]): void {
    const { frames, records, offset } = placeFrames(seg, group, this.opts.external ? undefined : this.cache);
    seg.size = offset;
    this.readers.appended(records);
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
    const seg = await this.files.rotate();
    void this.collect().catch((err: unknown) => this.opts.diag.error('write-ahead log: deleting a drained segment failed', err));
    return seg;
  }

  private async readFrom(cursor: Position, maxRecords: number): Promise<WalEntry[]> {
    if (comparePos(cursor, this.head) >= 0) return [];
    return this.cache.read(cursor, maxRecords, (i) => this.files.sizeOf(i)) ?? readSegments(this.scan, this.files.list, cursor, maxRecords);
  }

  private async countBetween(from: Position, to: Position): Promise<number> {
    return this.cache.count(from, to) ?? countOnDisk(this.scan, this.files.list, from, to);
  }

  private async recover(): Promise<void> {
    const { files, nextSeq } = await SegmentFiles.open(this.scan);
    this.files = files;
    this.nextSeq = nextSeq;
    this.totalBytes = files.totalSize();
    const first = { segment: this.files.list[0].index, offset: 0 };
    for (const name of this.opts.readers) await this.readers.open(name, first, () => true, (from) => this.countBetween(from, this.head));
    await this.collect();
  }

  /** Deletes segments every reader has passed; marks the last one drained when every reader is at its end. */
  private async collect(): Promise<void> {
    if (this.opts.external) return;
    const head = this.head;
    let min = Number.MAX_SAFE_INTEGER;
    let atHead = true;
    for (const s of this.readers.values()) {
      min = Math.min(min, effectiveSegment(s.cursor, this.files.list));
      if (comparePos(s.cursor, head) < 0) atHead = false;
    }
    if (atHead && head.offset > 0) this.drained = true;
    while (this.files.list.length > 1 && this.files.list[0].index < min) {
      const seg = (await this.files.deleteFirst())!;
      this.freed(seg.size);
      this.cache.dropSegment(seg.index);
    }
  }
}
