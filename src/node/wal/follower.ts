import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Diag } from '../../shared/diag.js';
import { createInterner } from './intern.js';
import { createCursorStore, comparePos, type Position } from './cursor.js';
import { segName, readSegments, countOnDisk, type Segment, type ScanOptions } from './segments.js';
import type { WalReader } from './wal.js';

/**
 * The reading half of a write-ahead log whose appends happen in another thread (the ingest's dispatch
 * worker): it owns the consumers' cursors and reads frames back from the segment files, which the writer's
 * own writes just put in the page cache. The writer tells it each new durable end (`advance`), in order; it
 * never reads past that end, so it never sees a frame that is not fsync'd. It deletes the segments every
 * cursor has passed and reports them (`onRelease`) so the writer gives their bytes back to the budget.
 */
export interface FollowerOptions {
  dir: string;
  readers: string[];
  /** The writer's segments when the follower starts (WriteAheadLog.segmentList()). */
  segments: Segment[];
  diag: Diag;
  /** Segments up to `index` are deleted. */
  onRelease(index: number): void;
  /** `records` of `reader` were delivered and its cursor moved past them. */
  onCommitted?(reader: string, records: number): void;
}

export class WalFollower {
  private readonly segments: Segment[];
  private readonly listeners = new Set<() => void>();
  private readonly state = new Map<string, { cursor: Position; waiting: number }>();
  private readonly cursors;
  private readonly scan: ScanOptions;

  private constructor(private readonly opts: FollowerOptions) {
    this.segments = opts.segments.map((s) => ({ ...s }));
    this.cursors = createCursorStore(path.join(opts.dir, 'cursors'));
    this.scan = { dir: opts.dir, diag: opts.diag, share: createInterner().intern };
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

  /** The writer made everything up to `head` durable, `records` more than before. */
  advance(head: Position, records: number): void {
    const last = this.segments[this.segments.length - 1];
    if (head.segment > last.index) this.segments.push({ index: head.segment, size: head.offset });
    else if (head.segment === last.index && head.offset > last.size) last.size = head.offset;
    else return;
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
        return comparePos(at, this.head) >= 0 ? [] : readSegments(this.scan, this.segments, at, maxRecords);
      },
      commit: async (end) => {
        if (comparePos(end, state.cursor) <= 0) return;
        const delivered = await countOnDisk(this.scan, this.segments, state.cursor, end);
        state.waiting -= delivered;
        state.cursor = end;
        this.opts.onCommitted?.(name, delivered);
        await this.cursors.save(name, end);
        await this.collect();
      },
      waiting: () => state.waiting,
    };
  }

  /** Records waiting for `name` when the follower opened (before any advance). */
  waiting(name: string): number {
    return this.state.get(name)?.waiting ?? 0;
  }

  private async collect(): Promise<void> {
    let min = Number.MAX_SAFE_INTEGER;
    for (const s of this.state.values()) min = Math.min(min, s.cursor.segment);
    let released: number | undefined;
    while (this.segments.length > 1 && this.segments[0].index < min) {
      const seg = this.segments.shift()!;
      await fsp.rm(path.join(this.opts.dir, segName(seg.index)), { force: true });
      released = seg.index;
    }
    if (released !== undefined) this.opts.onRelease(released);
  }
}
