import type { Batch } from '../../shared/model.js';
import { concatBatches, splitBatch } from './batch-utils.js';

/** Part of an enqueued batch (its ticket) that a chunk carries. */
export interface Piece {
  ticket: number;
  n: number;
}

/** Records taken together for one backend write or one spool append. */
export interface Chunk {
  batch: Batch;
  n: number;
  pieces: Piece[];
}

/**
 * Which enqueued batches are still unsettled (neither delivered, refused, on disk nor counted as dropped).
 * flush() waits for every ticket issued before it; Map keeps insertion order, so the oldest open ticket is the
 * first key and the check is O(1).
 */
export class Tickets {
  private next = 0;
  private readonly open = new Map<number, number>();
  private waiters: { upTo: number; resolve: () => void }[] = [];

  issue(n: number): number {
    this.next++;
    this.open.set(this.next, n);
    return this.next;
  }

  last(): number {
    return this.next;
  }

  settle(pieces: Piece[]): void {
    for (const p of pieces) {
      const left = (this.open.get(p.ticket) ?? 0) - p.n;
      if (left > 0) this.open.set(p.ticket, left);
      else this.open.delete(p.ticket);
    }
    if (this.waiters.length === 0) return;
    const oldest = this.oldest();
    this.waiters = this.waiters.filter((w) => (oldest <= w.upTo ? true : (w.resolve(), false)));
  }

  /** Resolves once every ticket up to `upTo` is settled. */
  whenSettled(upTo: number): Promise<void> {
    if (this.oldest() > upTo) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  private oldest(): number {
    const first = this.open.keys().next();
    return first.done ? Number.POSITIVE_INFINITY : first.value;
  }
}

interface Entry {
  batch: Batch;
  n: number;
  ticket: number;
}

/**
 * The in-memory FIFO of a delivery channel. take() hands out chunks of exactly `max` records where it can
 * (merging small batches, splitting big ones) because backends load fastest in full bulk requests.
 * A head index instead of Array#shift keeps take() O(1) with 100 000 one-record batches queued.
 */
export class MemoryQueue {
  private entries: Entry[] = [];
  private head = 0;
  records = 0;

  push(batch: Batch, n: number, ticket: number): void {
    this.entries.push({ batch, n, ticket });
    this.records += n;
  }

  take(max: number): Chunk | undefined {
    if (this.head >= this.entries.length) return undefined;
    const parts: Batch[] = [];
    const pieces: Piece[] = [];
    let n = 0;
    while (this.head < this.entries.length && n < max) {
      const e = this.entries[this.head];
      const room = max - n;
      if (e.n <= room) {
        parts.push(e.batch);
        pieces.push({ ticket: e.ticket, n: e.n });
        n += e.n;
        this.head++;
      } else {
        const [first, rest] = splitBatch(e.batch, room);
        parts.push(first);
        pieces.push({ ticket: e.ticket, n: room });
        e.batch = rest;
        e.n -= room;
        n += room;
      }
    }
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    this.records -= n;
    return { batch: concatBatches(parts), n, pieces };
  }
}
