import type { FrameCache } from './cache.js';
import type { Segment } from './segments.js';
import type { CommittedFrame, Pending } from './wal-types.js';

/**
 * Takes the appends of one write round off `pending`: all that wait, but no more than `room` bytes (at least
 * one), so a round never runs a segment far past its size and segments stay reclaimable at a quarter budget.
 */
export function takeGroup(pending: Pending[], room: number): Pending[] {
  let n = 0;
  for (let bytes = 0; n < pending.length && (n === 0 || bytes + pending[n].frame.length <= room); n++) bytes += pending[n].frame.length;
  return pending.splice(0, n);
}

/**
 * Where the frames of a round written at the end of `seg` lie: kept in `cache` (readers in this thread), or
 * listed with their payloads for a follower in another thread (no cache given).
 */
export function placeFrames(seg: Segment, group: Pending[], cache: FrameCache | undefined): { frames: CommittedFrame[]; records: number; offset: number } {
  let offset = seg.size;
  let records = 0;
  const frames: CommittedFrame[] = [];
  for (const g of group) {
    const start = { segment: seg.index, offset };
    offset += g.frame.length;
    const end = { segment: seg.index, offset };
    if (cache) {
      cache.add(g.seq, g.batch!, g.count, start, end, g.frame.length);
    } else {
      const [header, payload] = g.frame.parts;
      frames.push({ start, end, count: g.count, crc: header.readUInt32LE(4), payload });
    }
    records += g.count;
  }
  return { frames, records, offset };
}
