import type { Batch } from '../../shared/model.js';
import { comparePos, type Position } from './cursor.js';
import type { WalEntry } from './segments.js';

/** One frame kept in memory: the decoded batch as it was appended, and where it lies in the log. */
export interface Cached extends WalEntry {
  start: Position;
  bytes: number;
}

/**
 * The recent frames of the log, in order, so readers that keep up never read the disk. Bounded in bytes;
 * frames every reader has passed are let go at once (holding them kept decoded records alive into the old
 * generation, where every major GC marked them again: GC was 15% of the ingest's CPU before that).
 */
export class FrameCache {
  private entries: Cached[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  add(seq: number, batch: Batch, count: number, start: Position, end: Position, bytes: number): void {
    this.entries.push({ seq, batch, count, start, end, bytes });
    this.size += bytes;
    while (this.size > this.maxBytes && this.entries.length > 1) this.size -= this.entries.shift()!.bytes;
  }

  /** Frames from the one that starts at `pos` (about `maxRecords` records), or undefined when not held. */
  read(pos: Position, maxRecords: number, segmentSize: (index: number) => number): WalEntry[] | undefined {
    const first = this.entries[0];
    if (!first || comparePos(pos, first.start) < 0) return undefined;
    let i = this.find(pos, segmentSize);
    const out: WalEntry[] = [];
    let n = 0;
    for (; i >= 0 && i < this.entries.length && (out.length === 0 || n < maxRecords); i++) {
      out.push(this.entries[i]);
      n += this.entries[i].count;
    }
    return out.length > 0 ? out : undefined;
  }

  /** Records in the frames between two positions, or undefined when `from` is older than the cache. */
  count(from: Position, to: Position): number | undefined {
    const first = this.entries[0];
    if (!first || comparePos(from, first.start) < 0) return undefined;
    // Binary search to the first entry at or after `from`, then add up to `to`: O(log n + delivered).
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (comparePos(this.entries[mid].start, from) < 0) lo = mid + 1;
      else hi = mid;
    }
    let n = 0;
    for (let i = lo; i < this.entries.length && comparePos(this.entries[i].end, to) <= 0; i++) n += this.entries[i].count;
    return n;
  }

  /** Lets go of the frames that end at or before `min` (every reader has passed them). */
  trim(min: Position | undefined): void {
    while (min && this.entries.length > 0 && comparePos(this.entries[0].end, min) <= 0) this.size -= this.entries.shift()!.bytes;
  }

  /** Lets go of the frames of a deleted segment. */
  dropSegment(index: number): void {
    while (this.entries.length > 0 && this.entries[0].start.segment <= index) this.size -= this.entries.shift()!.bytes;
  }

  private find(pos: Position, segmentSize: (index: number) => number): number {
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = comparePos(this.entries[mid].start, pos);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    // A cursor at a segment's end equals the next segment's start: look for the first entry after it.
    return lo < this.entries.length && comparePos(this.entries[lo].start, pos) > 0 && pos.offset === segmentSize(pos.segment) ? lo : -1;
  }
}
