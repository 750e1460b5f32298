import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { SEGMENT_RE, segName, scanSegment, syncDir, type Segment, type ScanOptions, type WalEntry } from './segments.js';

/**
 * The durable log's segment files as the appending side sees them: the list of segments, the open last one,
 * and the three things done to them: write a group of frames at the end (one writev, one fdatasync), start a
 * new segment, delete the oldest.
 */
export class SegmentFiles {
  readonly list: Segment[] = [];
  private fh: fsp.FileHandle | null = null;

  private constructor(private readonly dir: string) {}

  /**
   * Finds the segments in `dir`, cuts a torn tail off the last one (a crash mid-write), and opens it for
   * appending. `nextSeq` is one past the last whole frame's sequence number.
   */
  static async open(scan: ScanOptions): Promise<{ files: SegmentFiles; nextSeq: number }> {
    const files = new SegmentFiles(scan.dir);
    const names = (await fsp.readdir(scan.dir)).filter((n) => SEGMENT_RE.test(n)).sort();
    for (const n of names) files.list.push({ index: Number(SEGMENT_RE.exec(n)![1]), size: (await fsp.stat(path.join(scan.dir, n))).size });
    if (files.list.length === 0) files.list.push({ index: 1, size: 0 });
    const last = files.last;
    const tail = await scanSegment(scan, last, 0, Number.MAX_SAFE_INTEGER, 'validate').catch(() => [] as WalEntry[]);
    files.fh = await fsp.open(path.join(scan.dir, segName(last.index)), 'a+');
    await syncDir(scan.dir);
    let nextSeq = 1;
    if (tail.length > 0) {
      // Validation checked CRCs without parsing; parse the last frame alone for the sequence number.
      const lastStart = tail.length > 1 ? tail[tail.length - 2].end.offset : 0;
      const [lastFrame] = await scanSegment(scan, last, lastStart, 1, 'read');
      if (lastFrame) nextSeq = lastFrame.seq + 1;
    }
    return { files, nextSeq };
  }

  get last(): Segment {
    return this.list[this.list.length - 1];
  }

  totalSize(): number {
    return this.list.reduce((a, s) => a + s.size, 0);
  }

  sizeOf(index: number): number {
    return this.list.find((s) => s.index === index)?.size ?? -1;
  }

  /** Writes the frames at the end of the last segment and makes them durable; the caller moves `size`. */
  async write(parts: Buffer[], total: number): Promise<void> {
    const seg = this.last;
    const fh = this.fh!;
    let off = (await fh.writev(parts, seg.size)).bytesWritten;
    if (off < total) {
      // A short write (rare: a signal, a nearly full disk): finish it from one buffer.
      const buf = Buffer.concat(parts);
      while (off < buf.length) off += (await fh.write(buf, off, buf.length - off, seg.size + off)).bytesWritten;
    }
    await fh.datasync();
  }

  /** After a failed write: cuts any partial frame, so the log stays valid. */
  async cutTail(): Promise<void> {
    await this.fh?.truncate(this.last.size).catch(() => undefined);
  }

  /** Starts a new last segment (its directory entry fsync'd: a power cut must not take acknowledged frames). */
  async rotate(): Promise<Segment> {
    await this.fh?.close();
    const seg = { index: this.last.index + 1, size: 0 };
    this.fh = await fsp.open(path.join(this.dir, segName(seg.index)), 'a+');
    await syncDir(this.dir);
    this.list.push(seg);
    return seg;
  }

  /** Deletes the oldest segment (never the last); its size, or undefined when there is only one. */
  async deleteFirst(): Promise<Segment | undefined> {
    if (this.list.length < 2) return undefined;
    const seg = this.list.shift()!;
    await fsp.rm(path.join(this.dir, segName(seg.index)), { force: true });
    return seg;
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = null;
  }
}
