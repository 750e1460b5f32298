import { promises as fsp } from 'node:fs';
import type { LineId } from './json-lines.js';

/**
 * What keeps a JSONL file idempotent on record ids when lines are sent again: the dispatcher re-sends the
 * batches written but not yet committed when the process died (its cursor is saved after the write), and
 * after a failed write it re-sends that batch and the ones in flight behind it, some already written.
 *
 * Chosen over saving the file offset with the cursor (and truncating to it on recovery): that ties the log's
 * cursor format to one sink and cannot undo lines already rotated away or appended by another writer of the
 * file. Instead the replays are recognized where they land:
 *
 * - When a scan is due (the first append of this writer, and the first after a failed write), the ids of the
 *   lines in the last `windowBytes` of the files (newest first, across rotated files) are read into a set.
 * - From then on, until `windowBytes` more have been offered, a line whose id is in the set is skipped, and
 *   every line written is added to it. Past that the set is dropped: a replay re-sends what was in flight
 *   (the dispatcher's window: 3 batches of ~1,000 records, ~2 MB of typical lines), so it is offered right
 *   after the scan, and the lines it repeats are within the window before it. 32 MiB covers that window
 *   and its re-sending with room for batches carrying a large request's frame.
 *
 * Cost: nothing per line while the guard stands down (the usual state: one comparison per chunk). While it is
 * up, reading the id at the end of each line (json-lines.ts) and a set lookup and insert: ~0.3 µs per line (2-core
 * dev VM), for at most 32 MiB of lines (~20 ms in all after a restart). A scan reads up to 32 MiB (50-110 ms
 * for 33,000 lines of 1 KB), only at start-up and after a failed write.
 *
 * Not covered: a record sent again outside a replay (a client's re-send: the ingest deduplicates those), and
 * lines pushed out of the window by another writer of the same file between a failure and its retry.
 */
export const REPLAY_WINDOW_BYTES = 32 * 1024 * 1024;
const BLOCK = 1024 * 1024;

export class ReplayGuard {
  private ids = new Set<string>();
  /** A scan is due: at the first append (a crash replay may follow), or after a failed write. */
  private due: 'start' | 'failure' | undefined = 'start';
  private budget = 0;
  private skippedLines = 0;

  constructor(
    private readonly idOf: LineId,
    private readonly windowBytes = REPLAY_WINDOW_BYTES,
  ) {}

  /** Whether the file's tail must be read before the next append. */
  get scanDue(): boolean {
    return this.due !== undefined;
  }

  /** A write of this file (or of another file in the same batch) failed: what it wrote may be sent again. */
  suspect(): void {
    this.due = 'failure';
  }

  /** Lines skipped since the last call. */
  takeSkipped(): number {
    const n = this.skippedLines;
    this.skippedLines = 0;
    return n;
  }

  /**
   * Reads the ids of the last `windowBytes` of `files` (oldest first, the current one last) into the set.
   * Resolves true when the current file ends inside a line: a write cut by a crash (the record in it has no
   * id here, and is sent again and written whole), or another writer's append that is not finished yet.
   */
  async scan(files: readonly string[]): Promise<boolean> {
    const reason = this.due;
    this.due = undefined; // a failure reported while this scan runs makes the next append scan again
    this.ids = new Set();
    let budget = this.windowBytes;
    let torn = false;
    try {
      for (let i = files.length - 1; i >= 0 && budget > 0; i--) {
        const read = await this.readIds(files[i], budget);
        budget -= read.bytes;
        if (i === files.length - 1) torn = read.torn;
      }
    } catch (err) {
      this.due ??= reason; // unreadable now: the next append tries again
      throw err;
    }
    // At start-up with nothing in the files, nothing can be a replay. After a failure the guard goes up even
    // so: the batches in flight behind the failed one are written next, and sent again after it.
    this.budget = this.ids.size > 0 || reason === 'failure' ? this.windowBytes : 0;
    return torn;
  }

  /**
   * The lines of `chunk` whose ids were not written yet (the same buffer when all are new); records the ids
   * it lets through. Only while the guard is up after a scan; otherwise the chunk is returned untouched.
   * The ids are recorded before the write: if it fails, the next append scans again, and the set is rebuilt
   * from what the files hold (the caller calls `suspect`).
   */
  filter(chunk: Buffer): Buffer {
    if (this.budget <= 0) return chunk;
    this.budget -= chunk.length;
    const keep: Buffer[] = [];
    let kept = 0; // start of the run of kept lines not yet in `keep`
    let skipped = false;
    for (let at = 0; at < chunk.length; ) {
      const nl = chunk.indexOf(10, at);
      const end = nl < 0 ? chunk.length : nl;
      const id = this.idOf(chunk, at, end);
      if (id !== undefined && this.ids.has(id)) {
        if (at > kept) keep.push(chunk.subarray(kept, at));
        kept = end + 1;
        skipped = true;
        this.skippedLines++;
      } else if (id !== undefined) {
        this.ids.add(id);
      }
      at = end + 1;
    }
    if (this.budget <= 0) this.ids = new Set(); // the replay window has passed: stand down
    if (!skipped) return chunk;
    if (kept < chunk.length) keep.push(chunk.subarray(kept));
    return keep.length === 1 ? keep[0] : Buffer.concat(keep);
  }

  /**
   * Adds the ids of the whole lines in the last `budget` bytes of `file` (missing: none). The size is the open
   * descriptor's, so a rotation by another writer meanwhile cannot mix two files.
   */
  private async readIds(file: string, budget: number): Promise<{ bytes: number; torn: boolean }> {
    const fh = await fsp.open(file, 'r').catch(missingAsNull);
    if (!fh) return { bytes: 0, torn: false };
    try {
      const end = (await fh.stat()).size;
      const start = Math.max(0, end - budget);
      let carry: Buffer | undefined;
      let skipFirst = start > 0; // the window starts inside a line: not a whole line
      for (let pos = start; pos < end; ) {
        const block = Buffer.allocUnsafe(Math.min(BLOCK, end - pos));
        const { bytesRead } = await fh.read(block, 0, block.length, pos);
        if (bytesRead === 0) break; // truncated meanwhile (rotation with backup_count 0)
        pos += bytesRead;
        const data = carry ? Buffer.concat([carry, block.subarray(0, bytesRead)]) : block.subarray(0, bytesRead);
        let at = 0;
        for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, at)) {
          const id = skipFirst ? undefined : this.idOf(data, at, nl);
          skipFirst = false;
          if (id !== undefined) this.ids.add(id);
          at = nl + 1;
        }
        carry = at < data.length ? Buffer.from(data.subarray(at)) : undefined;
      }
      return { bytes: end - start, torn: carry !== undefined };
    } finally {
      await fh.close();
    }
  }
}

function missingAsNull(err: unknown): null {
  if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') return null;
  throw err;
}
