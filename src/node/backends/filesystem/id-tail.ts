import { promises as fsp } from 'node:fs';
import type { LineId } from './json-lines.js';

/**
 * The record ids of about the last `windowBytes` of a file's lines, as two generations of a set: when the
 * newer one has taken half the window's bytes it becomes the older one and the oldest ids go. A lookup and an
 * insert per line (~0.3 µs, as the replay guard's).
 */
export class IdTail {
  private older = new Set<string>();
  private newer = new Set<string>();
  private newerBytes = 0;

  constructor(readonly windowBytes: number) {}

  has(id: string): boolean {
    return this.newer.has(id) || this.older.has(id);
  }

  /** Ids of lines just written or read, `bytes` long in all. */
  addAll(ids: readonly string[], bytes: number): void {
    for (const id of ids) this.newer.add(id);
    this.newerBytes += bytes;
    if (this.newerBytes >= this.windowBytes / 2) {
      this.older = this.newer;
      this.newer = new Set();
      this.newerBytes = 0;
    }
  }

  clear(): void {
    this.older = new Set();
    this.newer = new Set();
    this.newerBytes = 0;
  }
}

const BLOCK = 1024 * 1024;

/**
 * The ids of the whole lines in the last `budget` bytes of `files` (oldest first; the last one read only up to
 * `end`, its committed length). `aligned`: the range starts at a line's start (a committed length), so its first
 * line counts; otherwise the first, probably partial, line is left out.
 */
export async function readTailIds(files: readonly string[], idOf: LineId, budget: number, end: number, aligned = false): Promise<{ ids: string[]; bytes: number }> {
  const ids: string[] = [];
  let bytes = 0;
  for (let i = files.length - 1; i >= 0 && budget > 0; i--) {
    const fh = await fsp.open(files[i], 'r').catch(missingAsNull);
    if (!fh) continue;
    try {
      const stop = i === files.length - 1 ? Math.min(end, (await fh.stat()).size) : (await fh.stat()).size;
      const start = Math.max(0, stop - budget);
      const got = await readIds(fh, start, stop, idOf, aligned || start === 0);
      for (let j = got.length - 1; j >= 0; j--) ids.push(got[j]);
      bytes += stop - start;
      budget -= stop - start;
    } finally {
      await fh.close();
    }
  }
  return { ids: ids.reverse(), bytes };
}

async function readIds(fh: fsp.FileHandle, start: number, stop: number, idOf: LineId, firstWhole: boolean): Promise<string[]> {
  const out: string[] = [];
  let carry: Buffer | undefined;
  let skipFirst = !firstWhole;
  for (let pos = start; pos < stop; ) {
    const block = Buffer.allocUnsafe(Math.min(BLOCK, stop - pos));
    const { bytesRead } = await fh.read(block, 0, block.length, pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
    const data = carry ? Buffer.concat([carry, block.subarray(0, bytesRead)]) : block.subarray(0, bytesRead);
    let at = 0;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, at)) {
      const id = skipFirst ? undefined : idOf(data, at, nl);
      skipFirst = false;
      if (id !== undefined) out.push(id);
      at = nl + 1;
    }
    carry = at < data.length ? Buffer.from(data.subarray(at)) : undefined;
  }
  return out;
}

function missingAsNull(err: unknown): null {
  if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') return null;
  throw err;
}
