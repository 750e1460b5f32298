import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import type { Diag } from '../../shared/diag.js';
import { readHeader, decodePayload, HEADER_BYTES, type Frame } from './frames.js';
import { comparePos, type Position } from './cursor.js';
import { emptyBatch } from '../../shared/model.js';

/**
 * Segment files of the write-ahead log on disk, shared by the log itself (wal.ts) and by a follower reading
 * it from another thread (follower.ts): file names, and reading frames back from a segment.
 */
export interface Segment {
  index: number;
  size: number;
}

export interface WalEntry extends Frame {
  end: Position;
}

export const SEGMENT_RE = /^(\d{12})\.wal$/;

/**
 * The segment size for a byte budget: a quarter of it, between 64 KiB and 64 MiB. A segment is deleted only
 * as a whole, so a segment as large as the budget could keep the log full after every reader had passed it.
 */
export function segmentBytesFor(maxBytes: number): number {
  return Math.max(64 * 1024, Math.min(64 * 1024 * 1024, Math.floor(maxBytes / 4)));
}

/** The segment a cursor holds alive: a cursor at the very end of a segment followed by another holds neither. */
export function effectiveSegment(cursor: Position, segments: readonly Segment[]): number {
  const i = segments.findIndex((s) => s.index === cursor.segment);
  if (i >= 0 && i < segments.length - 1 && cursor.offset >= segments[i].size) return segments[i + 1].index;
  return cursor.segment;
}

/**
 * fsync of the directory after a segment file is created: the fdatasync of the file's data does not make its
 * directory entry durable, and a power cut could otherwise take a new segment whose records were acknowledged.
 */
export async function syncDir(dir: string): Promise<void> {
  const d = await fsp.open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
export const segName = (i: number) => `${String(i).padStart(12, '0')}.wal`;

export interface ScanOptions {
  dir: string;
  diag: Diag;
  /** Maps each resource/scope object of a frame to the shared one (the log's interner). */
  share?: <T extends object>(o: T) => T;
}

/**
 * Reads frames of one segment from `offset`; stops at about maxRecords or at a damaged frame.
 * 'read' parses the batches; 'validate' (recovery) checks CRCs and cuts a torn tail; 'count' reads headers only.
 */
export async function scanSegment(
  o: ScanOptions,
  seg: Segment,
  offset: number,
  maxRecords: number,
  mode: 'read' | 'validate' | 'count' = 'read',
  until = seg.size,
): Promise<WalEntry[]> {
  const file = path.join(o.dir, segName(seg.index));
  const fh = await fsp.open(file, 'r');
  const out: WalEntry[] = [];
  try {
    let at = offset;
    let n = 0;
    const header = Buffer.alloc(HEADER_BYTES);
    while (at + HEADER_BYTES <= Math.min(until, seg.size) && (out.length === 0 || n < maxRecords)) {
      await fh.read(header, 0, HEADER_BYTES, at);
      const h = readHeader(header, 0)!;
      if (at + HEADER_BYTES + h.length > seg.size) break;
      let frame: Frame | undefined = { seq: 0, batch: emptyBatch(), count: h.count };
      if (mode !== 'count') {
        const payload = Buffer.alloc(h.length);
        await fh.read(payload, 0, h.length, at + HEADER_BYTES);
        if (mode === 'read') frame = decodePayload(payload, h, o.share);
        else if (crc32(payload) !== h.crc) frame = undefined;
      }
      if (!frame) break;
      at += HEADER_BYTES + h.length;
      out.push({ ...frame, end: { segment: seg.index, offset: at } });
      n += frame.count;
    }
    if (mode === 'validate' && at < seg.size) {
      o.diag.warn(`write-ahead log: torn tail in ${segName(seg.index)} at byte ${at} cut (a crash mid-write)`);
      await fsp.truncate(file, at);
      seg.size = at;
    }
  } finally {
    await fh.close();
  }
  return out;
}

/** Frames after `cursor`, from the first segment that has any (about maxRecords records); [] at the end. */
export async function readSegments(o: ScanOptions, segments: readonly Segment[], cursor: Position, maxRecords: number): Promise<WalEntry[]> {
  let pos = cursor;
  for (;;) {
    const seg = segments.find((s) => s.index === pos.segment) ?? segments.find((s) => s.index > pos.segment);
    if (!seg) return [];
    if (seg.index !== pos.segment) pos = { segment: seg.index, offset: 0 };
    if (pos.offset >= seg.size) {
      const next = segments.find((s) => s.index > seg.index);
      if (!next) return [];
      pos = { segment: next.index, offset: 0 };
      continue;
    }
    const frames = await scanSegment(o, seg, pos.offset, maxRecords);
    if (frames.length > 0) return frames;
    pos = { segment: seg.index, offset: seg.size };
  }
}

/** Records in the frames between two positions, from the frame headers alone. */
export async function countOnDisk(o: ScanOptions, segments: readonly Segment[], from: Position, to: Position): Promise<number> {
  let n = 0;
  for (const seg of segments) {
    if (seg.index < from.segment || seg.index > to.segment) continue;
    const start = seg.index === from.segment ? from.offset : 0;
    // Headers only, and only up to `to`: scanning to the segment's end made each commit read ~100 headers.
    const until = seg.index === to.segment ? to.offset : seg.size;
    const frames = await scanSegment(o, seg, start, Number.MAX_SAFE_INTEGER, 'count', until);
    for (const f of frames) if (comparePos(f.end, to) <= 0) n += f.count;
  }
  return n;
}
