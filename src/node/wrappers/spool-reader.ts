import { promises as fsp } from 'node:fs';
import type { Batch } from '../../shared/model.js';
import { parseLine, segmentFile, type Position, type Segment } from './spool-files.js';

export interface ReadResult {
  batch: Batch;
  /** Just after the last line read. */
  end: Position;
  records: number;
  /** Unreadable lines skipped on the way. */
  corrupt: number;
}

/**
 * Reads records from the spool's segments in order, from a position, up to a count. It reads committed
 * bytes only (a segment's `size`), keeps one file handle open (the segment being replayed) and one buffer,
 * grown when a single line does not fit. Calls must not overlap (the spool serializes them).
 */
export function createSegmentReader(dir: string) {
  let open: { seq: number; fh: fsp.FileHandle } | undefined;
  let buf = Buffer.allocUnsafe(1 << 20);

  async function handle(seq: number): Promise<fsp.FileHandle> {
    if (open?.seq === seq) return open.fh;
    await release();
    const fh = await fsp.open(segmentFile(dir, seq), 'r');
    open = { seq, fh };
    return fh;
  }

  async function release(): Promise<void> {
    const h = open;
    open = undefined;
    await h?.fh.close();
  }

  return {
    async read(segments: readonly Segment[], from: Position, maxRecords: number): Promise<ReadResult> {
      const pos: Position = { ...from };
      const batch: Batch = { logs: [], spans: [] };
      let records = 0;
      let corrupt = 0;
      let want = buf.length;
      while (records < maxRecords) {
        const seg = segments.find((s) => s.seq >= pos.segment);
        if (!seg) break;
        if (seg.seq > pos.segment) pos.offset = 0;
        pos.segment = seg.seq;
        const left = seg.size - pos.offset;
        if (left <= 0) {
          if (!seg.sealed) break; // caught up with the appender
          pos.segment = seg.seq + 1;
          pos.offset = 0;
          continue;
        }
        if (buf.length < want) buf = Buffer.allocUnsafe(want);
        const fh = await handle(seg.seq);
        const { bytesRead } = await fh.read(buf, 0, Math.min(left, buf.length), pos.offset);
        const view = buf.subarray(0, bytesRead);
        let start = 0;
        for (let nl = view.indexOf(10); nl !== -1 && records < maxRecords; nl = view.indexOf(10, start)) {
          if (parseLine(view.toString('utf8', start, nl), batch)) records++;
          else corrupt++;
          start = nl + 1;
        }
        if (start > 0) {
          pos.offset += start;
        } else if (bytesRead >= left) {
          pos.segment = seg.seq + 1; // a torn tail (counted when the spool was opened): skip it
          pos.offset = 0;
        } else {
          want = buf.length * 2; // one line longer than the buffer
        }
      }
      return { batch, end: pos, records, corrupt };
    },
    /** Closes the handle if it is on that segment (it is about to be deleted). */
    async forget(seq: number): Promise<void> {
      if (open?.seq === seq) await release();
    },
    close: release,
  };
}
