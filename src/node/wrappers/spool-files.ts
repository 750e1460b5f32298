import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Batch, LogRecord, SpanRecord } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';

/**
 * The on-disk layout of a spool: segment files `seg-000000000001.jsonl` holding one record per line (`l` or
 * `s` then the record's JSON), and `cursor.json` = the first byte not yet acknowledged.
 * One record per line keeps a torn write (kill -9, disk full) down to at most one unreadable line.
 */

export interface Position {
  segment: number;
  offset: number;
}

export interface Segment {
  seq: number;
  /** Committed bytes: fsync'd and readable. */
  size: number;
  /** No more appends: the process that wrote it moved on or ended. */
  sealed: boolean;
}

export function comparePos(a: Position, b: Position): number {
  return a.segment !== b.segment ? a.segment - b.segment : a.offset - b.offset;
}

/** What a spool directory holds when it is opened: the result of the start-up scan. */
export interface Recovered {
  cursor: Position;
  segments: Segment[];
  records: number;
  bytes: number;
  tornLines: number;
  nextSeq: number;
}

/**
 * Reads the cursor, deletes segments acknowledged before a crash, and counts the complete lines left in the
 * others. A segment from a previous process is sealed: this process appends to a new one, so a torn last line
 * is never glued to a new record; it is skipped and counted (`spool.torn_lines`).
 */
export async function recoverSpool(dir: string, diag: Diag): Promise<Recovered> {
  const saved = await readCursor(dir);
  if (saved instanceof Error) {
    diag.error(`spool ${dir}: unreadable cursor, replaying every segment (writes are idempotent)`, saved);
    diag.count('spool.cursor_unreadable');
  }
  const seqs = await listSegments(dir);
  const cursor: Position = saved && !(saved instanceof Error) ? saved : { segment: seqs[0] ?? 1, offset: 0 };
  const out: Recovered = { cursor, segments: [], records: 0, bytes: 0, tornLines: 0, nextSeq: 0 };
  for (const seq of seqs) {
    if (seq < cursor.segment) {
      await fsp.rm(segmentFile(dir, seq), { force: true }); // acknowledged before a crash, not yet deleted
      continue;
    }
    const c = await countLines(segmentFile(dir, seq), seq === cursor.segment ? cursor.offset : 0);
    out.segments.push({ seq, size: c.size, sealed: true });
    out.records += c.lines;
    out.bytes += c.size;
    if (c.torn) {
      out.tornLines++;
      diag.count('spool.torn_lines');
      diag.warn(`spool ${dir}: segment ${seq} ends in a torn line (a crash during an append); it is skipped`);
    }
  }
  out.nextSeq = Math.max(cursor.segment, (seqs[seqs.length - 1] ?? 0) + 1);
  return out;
}

const SEGMENT = /^seg-(\d{12})\.jsonl$/;
const NEWLINE = 10;

export function segmentFile(dir: string, seq: number): string {
  return path.join(dir, `seg-${String(seq).padStart(12, '0')}.jsonl`);
}

export function cursorFile(dir: string): string {
  return path.join(dir, 'cursor.json');
}

/** Segment numbers present in `dir`, ascending. */
export async function listSegments(dir: string): Promise<number[]> {
  const names = await fsp.readdir(dir);
  const seqs: number[] = [];
  for (const n of names) {
    const m = SEGMENT.exec(n);
    if (m) seqs.push(Number(m[1]));
  }
  return seqs.sort((a, b) => a - b);
}

/** The saved cursor, or undefined when there is none or it is unreadable (then everything is replayed). */
export async function readCursor(dir: string): Promise<Position | undefined | Error> {
  let text: string;
  try {
    text = await fsp.readFile(cursorFile(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return err instanceof Error ? err : new Error(String(err));
  }
  try {
    const v: unknown = JSON.parse(text);
    if (isObject(v) && Number.isInteger(v.segment) && Number.isInteger(v.offset)) {
      return { segment: v.segment as number, offset: v.offset as number };
    }
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  return new Error(`unexpected cursor content ${JSON.stringify(text.slice(0, 80))}`);
}

/** Write a temporary file, fsync it, rename it over the cursor: a crash leaves the old or the new one. */
export async function writeCursor(dir: string, pos: Position): Promise<void> {
  const file = cursorFile(dir);
  const tmp = `${file}.tmp`;
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(pos));
    await fh.sync();
  } finally {
    await fh.close();
  }
  // The directory is not fsync'd here: a rename lost to a power cut only re-delivers (idempotent writes).
  await fsp.rename(tmp, file);
}

/** Makes a new file's directory entry durable; not supported on every platform (Windows), where it is skipped. */
export async function syncDir(dir: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw err;
  } finally {
    await fh?.close();
  }
}

/** Complete lines from `offset` to the end of a file, and whether it ends in a torn (unterminated) line. */
export async function countLines(file: string, offset: number): Promise<{ lines: number; size: number; torn: boolean }> {
  const fh = await fsp.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.allocUnsafe(1 << 20);
    let lines = 0;
    let last = NEWLINE;
    for (let pos = Math.min(offset, size); pos < size; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) break;
      for (let i = buf.indexOf(NEWLINE, 0); i !== -1 && i < bytesRead; i = buf.indexOf(NEWLINE, i + 1)) lines++;
      last = buf[bytesRead - 1];
      pos += bytesRead;
    }
    return { lines, size, torn: size > offset && last !== NEWLINE };
  } finally {
    await fh.close();
  }
}

export function serializeBatch(batch: Batch): string {
  let out = '';
  for (const r of batch.logs) out += 'l' + JSON.stringify(r) + '\n';
  for (const s of batch.spans) out += 's' + JSON.stringify(s) + '\n';
  return out;
}

/**
 * Adds the record on one line (without its newline) to `into`; false when the line is not a record. The spool
 * only holds lines this module wrote from typed records, so a shape check of the id fields is enough to tell
 * a record from debris (a torn or zero-filled line); the backend validates the rest as for any record.
 */
export function parseLine(line: string, into: Batch): boolean {
  const kind = line.charCodeAt(0);
  let v: unknown;
  try {
    v = JSON.parse(line.slice(1));
  } catch {
    return false; // the caller counts the line as corrupt
  }
  if (!isObject(v)) return false;
  if (kind === 0x6c /* l */ && typeof v.record_id === 'string') {
    into.logs.push(v as unknown as LogRecord);
    return true;
  }
  if (kind === 0x73 /* s */ && typeof v.trace_id === 'string' && typeof v.span_id === 'string') {
    into.spans.push(v as unknown as SpanRecord);
    return true;
  }
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
