import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Batch } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import { errorMessage } from '../../shared/result.js';
import { encodeFrame, type EncodedFrame } from './frames.js';
import { createInterner } from './intern.js';
import { createCursorStore, type Position, comparePos } from './cursor.js';
import { SEGMENT_RE, segName, scanSegment, readSegments, countOnDisk, type Segment, type WalEntry, type ScanOptions } from './segments.js';

export type { WalEntry } from './segments.js';

/**
 * The ingest's write-ahead log: append-only segment files of CRC-framed batches.
 *
 * - `append` resolves only after the batch is on disk (fdatasync). Appends that arrive while a write is in
 *   progress are written and synced together (group commit): one fsync serves every request of that round.
 * - Each consumer (one per backend) has a named cursor, persisted by atomic rename after each delivered batch;
 *   after a restart it resumes there (re-delivering at most the batch in flight, which idempotent ids absorb).
 * - Segments every cursor has passed are deleted. The total size is bounded: a full log refuses appends
 *   (the ingest answers 503 with Retry-After) rather than dropping anything.
 * - Recent entries stay in memory, so consumers that keep up never read the disk.
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
}

interface Cached extends WalEntry {
  start: Position;
  bytes: number;
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

export class WriteAheadLog {
  private segments: Segment[] = [];
  private fh: fsp.FileHandle | null = null;
  private nextSeq = 1;
  private totalBytes = 0;
  private pending: Pending[] = [];
  private writing = false;
  private closed = false;
  private cache: Cached[] = [];
  private cacheSize = 0;
  private readonly listeners = new Set<() => void>();
  private readonly committedListeners = new Set<(c: Committed) => void>();
  private readonly readerState = new Map<string, { cursor: Position; waiting: number }>();
  private readonly segmentBytes: number;
  private readonly cacheBytes: number;
  private readonly cursors;
  private readonly interner = createInterner();
  private readonly scan: ScanOptions;

  private constructor(private readonly opts: WalOptions) {
    this.segmentBytes = opts.segmentBytes ?? 64 * 1024 * 1024;
    this.cacheBytes = opts.cacheBytes ?? 64 * 1024 * 1024;
    this.cursors = createCursorStore(path.join(opts.dir, 'cursors'));
    this.scan = { dir: opts.dir, diag: opts.diag, share: this.interner.intern };
  }

  static async open(opts: WalOptions): Promise<WriteAheadLog> {
    const wal = new WriteAheadLog(opts);
    await wal.recover();
    return wal;
  }

  get head(): Position {
    const last = this.segments[this.segments.length - 1];
    return { segment: last.index, offset: last.size };
  }

  sizeBytes(): number {
    return this.totalBytes;
  }

  /** Called after every append round (the dispatcher waits on it instead of polling). */
  onAppend(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  append(batch: Batch): Promise<AppendResult> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'closed', message: 'the write-ahead log is closed' });
    const seq = this.nextSeq;
    // With external readers nothing here reads the records again: they are not interned (the follower interns
    // what it decodes) and not held until the fsync, so a scavenge finds them dead instead of copying them
    // (measured: ~15 MB survived each scavenge of the ingest's main thread while 8 requests awaited their fsync).
    if (!this.opts.external) this.interner.internBatch(batch);
    const frame = encodeFrame(seq, batch);
    if (this.totalBytes + frame.length > this.opts.maxBytes) {
      return Promise.resolve({ ok: false, reason: 'full', message: `write-ahead log full (${this.totalBytes} of ${this.opts.maxBytes} bytes)` });
    }
    this.nextSeq++;
    this.totalBytes += frame.length; // reserved now so concurrent appends respect the budget
    return new Promise((resolve) => {
      this.pending.push({ frame, seq, batch: this.opts.external ? undefined : batch, count: batch.logs.length + batch.spans.length, resolve });
      if (!this.writing) void this.writeLoop();
    });
  }

  /**
   * Called after each commit round, before its appends resolve: a follower in another thread learns the new
   * end, and whoever counts waiting records has counted these before any client sees its 2xx.
   */
  onCommitted(fn: (c: Committed) => void): () => void {
    this.committedListeners.add(fn);
    return () => this.committedListeners.delete(fn);
  }

  /** The segment files and their sizes now (what a follower starts from). */
  segmentList(): Segment[] {
    return this.segments.map((s) => ({ ...s }));
  }

  /** With `external` readers: segments up to `index` were deleted by the follower; their bytes are free again. */
  release(index: number): void {
    while (this.segments.length > 1 && this.segments[0].index <= index) this.totalBytes -= this.segments.shift()!.size;
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
        this.trimCache();
        await this.cursors.save(name, end);
        await this.collect();
      },
      waiting: () => state.waiting,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing) await new Promise((r) => setTimeout(r, 1));
    await this.fh?.close();
    this.fh = null;
  }

  private async writeLoop(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending;
        this.pending = [];
        await this.writeGroup(group);
        // After every round, not once the queue is empty: under steady load it never is, and the
        // dispatchers would sleep until the load paused (seen: nothing delivered during a 2 s burst).
        for (const fn of this.listeners) fn();
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeGroup(group: Pending[]): Promise<void> {
    let seg = this.segments[this.segments.length - 1];
    try {
      if (seg.size >= this.segmentBytes) seg = await this.rotate();
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
        this.cache.push({ seq: g.seq, batch: g.batch!, count: g.count, start, end, bytes: g.frame.length });
        this.cacheSize += g.frame.length;
      }
      records += g.count;
    }
    seg.size = offset;
    for (const s of this.readerState.values()) s.waiting += records;
    while (this.cacheSize > this.cacheBytes && this.cache.length > 1) this.cacheSize -= this.cache.shift()!.bytes;
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
    await this.fh?.close();
    const seg = { index: this.segments[this.segments.length - 1].index + 1, size: 0 };
    this.fh = await fsp.open(path.join(this.opts.dir, segName(seg.index)), 'a+');
    await syncDir(this.opts.dir);
    this.segments.push(seg);
    return seg;
  }

  private async readFrom(cursor: Position, maxRecords: number): Promise<WalEntry[]> {
    const head = this.head;
    if (comparePos(cursor, head) >= 0) return [];
    const first = this.cache[0];
    if (first && comparePos(cursor, first.start) >= 0) {
      let i = this.findCached(cursor);
      const out: WalEntry[] = [];
      let n = 0;
      for (; i >= 0 && i < this.cache.length && (out.length === 0 || n < maxRecords); i++) {
        out.push(this.cache[i]);
        n += this.cache[i].count;
      }
      if (out.length > 0) return out;
    }
    return this.readDisk(cursor, maxRecords);
  }

  private findCached(pos: Position): number {
    let lo = 0;
    let hi = this.cache.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = comparePos(this.cache[mid].start, pos);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    // A cursor at a segment's end equals the next segment's start: look for the first entry after it.
    return lo < this.cache.length && comparePos(this.cache[lo].start, pos) > 0 && pos.offset === this.segmentSize(pos.segment) ? lo : -1;
  }

  private segmentSize(index: number): number {
    return this.segments.find((s) => s.index === index)?.size ?? -1;
  }

  private readDisk(cursor: Position, maxRecords: number): Promise<WalEntry[]> {
    return readSegments(this.scan, this.segments, cursor, maxRecords);
  }

  private async countBetween(from: Position, to: Position): Promise<number> {
    let n = 0;
    const first = this.cache[0];
    if (first && comparePos(from, first.start) >= 0) {
      // Binary search to the first entry at or after `from`, then add up to `to`: O(log n + delivered).
      let lo = 0;
      let hi = this.cache.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (comparePos(this.cache[mid].start, from) < 0) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < this.cache.length && comparePos(this.cache[i].end, to) <= 0; i++) n += this.cache[i].count;
      return n;
    }
    return countOnDisk(this.scan, this.segments, from, to);
  }

  private async recover(): Promise<void> {
    await fsp.mkdir(this.opts.dir, { recursive: true });
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
      const state = { cursor, waiting: 0 };
      state.waiting = await this.countBetween(cursor, this.head);
      this.readerState.set(name, state);
    }
    await this.collect();
  }

  /**
   * Drops cached entries every reader has passed: nothing reads them again (a restart reads the disk), and
   * holding them would keep up to `cacheBytes` of decoded records alive into the old generation, where
   * every major GC marks them again (measured: GC was 15% of the ingest's CPU before this).
   */
  private trimCache(): void {
    let min: Position | undefined;
    for (const s of this.readerState.values()) if (!min || comparePos(s.cursor, min) < 0) min = s.cursor;
    while (min && this.cache.length > 0 && comparePos(this.cache[0].end, min) <= 0) this.cacheSize -= this.cache.shift()!.bytes;
  }

  /** Deletes segments every reader has passed. */
  private async collect(): Promise<void> {
    if (this.opts.external) return;
    let min = Number.MAX_SAFE_INTEGER;
    for (const s of this.readerState.values()) min = Math.min(min, s.cursor.segment);
    while (this.segments.length > 1 && this.segments[0].index < min) {
      const seg = this.segments.shift()!;
      this.totalBytes -= seg.size;
      await fsp.rm(path.join(this.opts.dir, segName(seg.index)), { force: true });
      while (this.cache.length > 0 && this.cache[0].start.segment === seg.index) this.cacheSize -= this.cache.shift()!.bytes;
    }
  }
}

/**
 * fsync of the directory after a segment file is created: the fdatasync of the file's data does not make its
 * directory entry durable, and a power cut could otherwise take a new segment whose records were acknowledged.
 */
async function syncDir(dir: string): Promise<void> {
  const d = await fsp.open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
