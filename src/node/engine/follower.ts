import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Diag } from '../../shared/diag.js';
import { createInterner } from './intern.js';
import { createCursorStore, comparePos, type Position } from './cursor.js';
import { decodePayload } from './frames.js';
import { segName, readSegments, countOnDisk, effectiveSegment, type Segment, type ScanOptions, type WalEntry } from './segments.js';
import type { WalReader } from './wal.js';

/**
 * The reading half of a write-ahead log whose appends happen in another thread (the ingest's dispatch
 * worker): it owns the consumers' cursors. The writer tells it each new durable end (`advance`), in order,
 * with the frames it wrote; it never reads past that end, so it never sees a frame that is not fsync'd.
 * Frames handed over stay in memory (up to `cacheBytes` of payload) until every cursor has passed them;
 * older ones, and everything after a restart, are read back from the segment files. It deletes the segments
 * every cursor has passed and reports them (`onRelease`) so the writer gives their bytes back to the budget.
 */
export interface FollowerOptions {
  dir: string;
  readers: string[];
  /** The writer's segments when the follower starts (WriteAheadLog.segmentList()). */
  segments: Segment[];
  diag: Diag;
  cacheBytes?: number;
  /** Segments up to `index` are deleted. */
  onRelease(index: number): void;
  /** `records` of `reader` were delivered and its cursor moved past them. */
  onCommitted?(reader: string, records: number): void;
  /** Every reader has delivered everything up to `head`: the writer may start a new segment and this one go. */
  onDrained?(head: Position): void;
}

/** A frame the writer handed over, as WriteAheadLog.onCommitted reports it (payload as bytes). */
export interface FollowedFrame {
  start: Position;
  end: Position;
  count: number;
  crc: number;
  /** Dropped (undefined) once the cache is over budget: then the frame is read from disk. */
  payload?: Uint8Array;
}

const MAX_FRAMES = 100_000;

export class WalFollower {
  private readonly segments: Segment[];
  private readonly listeners = new Set<() => void>();
  private readonly state = new Map<string, { cursor: Position; waiting: number }>();
  private readonly cursors;
  private readonly scan: ScanOptions;
  /** Consecutive frames up to the head, from the oldest some cursor has not passed. */
  private frames: FollowedFrame[] = [];
  private framesStart = 0;
  private cachedBytes = 0;
  private drainedAt: Position | undefined;
  private readonly cacheBytes: number;

  private constructor(private readonly opts: FollowerOptions) {
    this.segments = opts.segments.map((s) => ({ ...s }));
    // Synchronous writes: the follower runs in a thread of its own (see cursor.ts).
    this.cursors = createCursorStore(path.join(opts.dir, 'cursors'), { sync: true });
    this.scan = { dir: opts.dir, diag: opts.diag, share: createInterner().intern };
    this.cacheBytes = opts.cacheBytes ?? 64 * 1024 * 1024;
  }

  static async open(opts: FollowerOptions): Promise<WalFollower> {
    const f = new WalFollower(opts);
    for (const name of opts.readers) {
      const cursor = (await f.cursors.load(name)) ?? { segment: f.segments[0].index, offset: 0 };
      f.state.set(name, { cursor, waiting: await countOnDisk(f.scan, f.segments, cursor, f.head) });
    }
    await f.collect();
    return f;
  }

  get head(): Position {
    const last = this.segments[this.segments.length - 1];
    return { segment: last.index, offset: last.size };
  }

  /** The writer made everything up to `head` durable: `records` more, in `frames` (in order). */
  advance(head: Position, records: number, frames: FollowedFrame[] = []): void {
    const last = this.segments[this.segments.length - 1];
    if (head.segment > last.index) this.segments.push({ index: head.segment, size: head.offset });
    else if (head.segment === last.index && head.offset > last.size) last.size = head.offset;
    else return;
    this.remember(frames);
    for (const s of this.state.values()) s.waiting += records;
    for (const fn of this.listeners) fn();
  }

  onAppend(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  reader(name: string): WalReader {
    const state = this.state.get(name);
    if (!state) throw new Error(`write-ahead log: unknown reader "${name}"`);
    return {
      name,
      read: async (maxRecords, from) => {
        const at = from && comparePos(from, state.cursor) > 0 ? from : state.cursor;
        if (comparePos(at, this.head) >= 0) return [];
        return this.fromMemory(at, maxRecords) ?? readSegments(this.scan, this.segments, at, maxRecords);
      },
      commit: async (end) => {
        if (comparePos(end, state.cursor) <= 0) return;
        const delivered = this.countInMemory(state.cursor, end) ?? (await countOnDisk(this.scan, this.segments, state.cursor, end));
        state.waiting -= delivered;
        state.cursor = end;
        this.opts.onCommitted?.(name, delivered);
        this.forget();
        await this.cursors.save(name, end);
        await this.collect();
      },
      waiting: () => state.waiting,
      position: () => state.cursor,
    };
  }

  /** Records waiting for `name` (when just opened: what the log held for it). */
  waiting(name: string): number {
    return this.state.get(name)?.waiting ?? 0;
  }

  private remember(frames: FollowedFrame[]): void {
    const tail = this.frames[this.frames.length - 1];
    // Only a run that continues the one held: after a gap (a frame not handed over) the index starts again.
    if (frames.length > 0 && tail && !this.continues(tail.end, frames[0].start)) this.drop(this.frames.length);
    for (const f of frames) {
      this.frames.push(f);
      this.cachedBytes += f.payload?.byteLength ?? 0;
    }
    // Bounded also in frames (a backend down for hours): the oldest are found on disk again.
    const over = this.frames.length - this.framesStart - MAX_FRAMES;
    if (over > 0) this.drop(this.framesStart + over);
    // Over budget: the oldest payloads go first (the reader that needs them is behind and reads the disk).
    for (let i = this.framesStart; this.cachedBytes > this.cacheBytes && i < this.frames.length; i++) {
      this.cachedBytes -= this.frames[i].payload?.byteLength ?? 0;
      this.frames[i].payload = undefined;
    }
  }

  /** True when a frame starting at `start` directly follows one ending at `end` (also across a segment). */
  private continues(end: Position, start: Position): boolean {
    return comparePos(end, start) === 0 || (start.segment > end.segment && start.offset === 0);
  }

  /** Index of the frame that starts at `pos`, or -1 when the memory does not hold it. */
  private find(pos: Position): number {
    let lo = this.framesStart;
    let hi = this.frames.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (comparePos(this.frames[mid].end, pos) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.frames.length && this.continues(pos, this.frames[lo].start) && comparePos(pos, this.frames[this.framesStart].start) >= 0 ? lo : -1;
  }

  private fromMemory(at: Position, maxRecords: number): WalEntry[] | undefined {
    const i0 = this.find(at);
    if (i0 < 0 || !this.frames[i0].payload) return undefined;
    const out: WalEntry[] = [];
    let n = 0;
    for (let i = i0; i < this.frames.length && (out.length === 0 || n < maxRecords); i++) {
      const f = this.frames[i];
      if (!f.payload) break;
      const payload = Buffer.from(f.payload.buffer, f.payload.byteOffset, f.payload.byteLength);
      const frame = decodePayload(payload, { length: payload.length, crc: f.crc, count: f.count }, this.scan.share);
      if (!frame) return out.length > 0 ? out : undefined; // damaged in memory (cannot happen): the disk decides
      out.push({ ...frame, end: f.end });
      n += f.count;
    }
    return out;
  }

  private countInMemory(from: Position, to: Position): number | undefined {
    const i0 = this.find(from);
    if (i0 < 0) return undefined;
    let n = 0;
    let i = i0;
    for (; i < this.frames.length && comparePos(this.frames[i].end, to) <= 0; i++) n += this.frames[i].count;
    return i > i0 && comparePos(this.frames[i - 1].end, to) === 0 ? n : undefined;
  }

  /** Lets go of the frames every cursor has passed. */
  private forget(): void {
    let min: Position | undefined;
    for (const s of this.state.values()) if (!min || comparePos(s.cursor, min) < 0) min = s.cursor;
    let i = this.framesStart;
    while (min && i < this.frames.length && comparePos(this.frames[i].end, min) <= 0) i++;
    this.drop(i);
  }

  private drop(until: number): void {
    for (let i = this.framesStart; i < until; i++) this.cachedBytes -= this.frames[i].payload?.byteLength ?? 0;
    this.framesStart = until;
    // Compact now and then rather than shift() per frame.
    if (this.framesStart > 1024 || this.framesStart === this.frames.length) {
      this.frames = this.frames.slice(this.framesStart);
      this.framesStart = 0;
    }
  }

  private async collect(): Promise<void> {
    const head = this.head;
    let min = Number.MAX_SAFE_INTEGER;
    let atHead = true;
    for (const s of this.state.values()) {
      min = Math.min(min, effectiveSegment(s.cursor, this.segments));
      if (comparePos(s.cursor, head) < 0) atHead = false;
    }
    if (atHead && head.offset > 0 && (!this.drainedAt || comparePos(this.drainedAt, head) !== 0)) {
      this.drainedAt = head;
      this.opts.onDrained?.(head);
    }
    let released: number | undefined;
    while (this.segments.length > 1 && this.segments[0].index < min) {
      const seg = this.segments.shift()!;
      await fsp.rm(path.join(this.opts.dir, segName(seg.index)), { force: true });
      released = seg.index;
    }
    if (released !== undefined) this.opts.onRelease(released);
  }
}
