import type { FileKind } from './protocol.js';

/** The usual chunk: a batch of 1,000 typical log lines is ~570 KB. Larger lines get a chunk of their own size. */
export const CHUNK_BYTES = 1024 * 1024;
/** Free chunks kept for reuse: enough for the default 8 MiB in flight, plus the one being filled. */
const POOL_MAX = 10;

/** Whole lines encoded into shared memory, on their way to the writer thread. */
export class Chunk {
  readonly buf: Buffer;
  len = 0;
  count = 0;
  seq = -1;

  constructor(
    readonly sab: SharedArrayBuffer,
    readonly kind: FileKind,
  ) {
    this.buf = Buffer.from(sab);
  }

  /** Bytes of memory the chunk holds, whatever it uses. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Whether `text` fits; the exact UTF-8 length is measured only near the end of the chunk. */
  fits(text: string): boolean {
    const room = this.buf.length - this.len;
    return text.length * 3 <= room || Buffer.byteLength(text) <= room;
  }

  /** Writes `text`, which holds `lines` whole lines; the caller has checked that it fits. */
  put(text: string, lines: number): void {
    this.len += this.buf.write(text, this.len);
    this.count += lines;
  }
}

/**
 * Reuses chunk memory: a burst of logging writes the same few MiB over and over instead of touching new
 * pages (first-touch page faults on fresh memory cost ~30 ms per 100 MB on the bench VM, more than encoding).
 */
export class ChunkPool {
  private readonly free: SharedArrayBuffer[] = [];

  /** A chunk with room for at least `need` bytes; `reclaim` is asked for returned chunks before allocating. */
  take(kind: FileKind, need: number, reclaim: () => void): Chunk {
    if (need > CHUNK_BYTES) return new Chunk(new SharedArrayBuffer(need), kind);
    if (this.free.length === 0) reclaim();
    return new Chunk(this.free.pop() ?? new SharedArrayBuffer(CHUNK_BYTES), kind);
  }

  release(c: Chunk): void {
    if (c.sab.byteLength === CHUNK_BYTES && this.free.length < POOL_MAX) this.free.push(c.sab);
  }
}
