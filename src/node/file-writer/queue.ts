import type { Chunk } from './chunks.js';
import type { FileKind } from './protocol.js';

/**
 * The chunks on their way to the writer thread, oldest first: `waiting` (encoded, not yet given to the
 * thread) and `sent` (given, not yet acknowledged). Memory is counted by chunk capacity, so the limits hold
 * for what is really allocated: `windowBytes` bounds what the thread holds, `maxPendingBytes` everything, and
 * beyond it the oldest waiting chunks are dropped (never the newest).
 */
export class ChunkQueue {
  private readonly waiting: Chunk[] = [];
  private readonly sent: Chunk[] = [];
  private waitingBytes = 0;
  private sentBytes = 0;
  private seq = 0;

  constructor(
    private readonly maxPendingBytes: number,
    private readonly windowBytes: number,
  ) {}

  /** Nothing waiting and nothing unacknowledged. */
  get settled(): boolean {
    return this.waiting.length === 0 && this.sent.length === 0;
  }

  /**
   * The newest waiting chunk, when it is of this kind, taken out to be appended to: a slow or failing disk
   * then fills chunks instead of queueing one per batch. `settle` puts it back (still the newest).
   */
  reopen(kind: FileKind): Chunk | undefined {
    const last = this.waiting[this.waiting.length - 1];
    if (last === undefined || last.kind !== kind) return undefined;
    this.waiting.pop();
    this.waitingBytes -= last.capacity;
    return last;
  }

  /** Queues a chunk that holds lines; returns the oldest chunks dropped to stay within maxPendingBytes. */
  settle(c: Chunk): Chunk[] {
    if (c.seq < 0) c.seq = this.seq++;
    this.waiting.push(c);
    this.waitingBytes += c.capacity;
    const dropped: Chunk[] = [];
    while (this.waitingBytes + this.sentBytes > this.maxPendingBytes && this.waiting.length > 1) {
      const old = this.waiting.shift()!;
      this.waitingBytes -= old.capacity;
      dropped.push(old);
    }
    return dropped;
  }

  /** The next chunk for the thread, moved to `sent`, while the window has room (or always, when closing). */
  next(ignoreWindow: boolean): Chunk | undefined {
    if (this.waiting.length === 0 || (this.sentBytes >= this.windowBytes && !ignoreWindow)) return undefined;
    const c = this.waiting.shift()!;
    this.waitingBytes -= c.capacity;
    this.sent.push(c);
    this.sentBytes += c.capacity;
    return c;
  }

  /** The thread is done with chunk `seq` (written, or dropped after failing on close). */
  ack(seq: number): Chunk | undefined {
    const i = this.sent.findIndex((c) => c.seq === seq);
    if (i < 0) return undefined;
    const [c] = this.sent.splice(i, 1);
    this.sentBytes -= c.capacity;
    return c;
  }

  /** The thread died: what it held waits again, in front, for the next thread (which skips what the dead one wrote). */
  requeue(): void {
    this.waiting.unshift(...this.sent);
    this.waitingBytes += this.sentBytes;
    this.sent.length = 0;
    this.sentBytes = 0;
  }

  /** Empties the queue, returning everything it held (to be counted as dropped). */
  clear(): Chunk[] {
    const all = [...this.sent, ...this.waiting];
    this.sent.length = 0;
    this.waiting.length = 0;
    this.sentBytes = 0;
    this.waitingBytes = 0;
    return all;
  }
}
