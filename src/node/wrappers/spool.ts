import { promises as fsp } from 'node:fs';
import type { Batch } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import { errorMessage } from '../../shared/result.js';
import { recordCount } from './batch-utils.js';
import {
  comparePos, recoverSpool, segmentFile, serializeBatch, syncDir, writeCursor, type Position, type Segment,
} from './spool-files.js';
import { createSegmentReader } from './spool-reader.js';
import { acquireSpoolLock } from './spool-lock.js';

export interface SpoolOptions {
  diag: Diag;
  /** Bytes on disk (all segments) beyond which append() rejects with "spool full" (default: unbounded). */
  maxBytes?: number;
  /** A segment is closed and a new one started beyond this size (default 16 MiB). */
  segmentBytes?: number;
}

/** Where a peeked batch ends; pass it to ack() once the batch is delivered. */
export interface SpoolToken {
  readonly segment: number;
  readonly offset: number;
  /** Lines this batch covers: its records plus any corrupt lines skipped. */
  readonly lines: number;
  readonly corrupt: number;
}

export interface Spool {
  /** Resolves once the batch is fsync'd (it survives kill -9 and a power cut); rejects when it is not stored. */
  append(batch: Batch): Promise<void>;
  /** Up to maxRecords oldest unacknowledged records (or the ones after `after`), without consuming them. */
  peek(maxRecords: number, after?: SpoolToken): Promise<{ batch: Batch; token: SpoolToken } | null>;
  /**
   * Marks everything up to the token delivered (count() and peek() see it at once), then persists the cursor
   * (fsync'd, atomic rename) and deletes segments left fully behind; resolves once persisted.
   */
  ack(token: SpoolToken): Promise<void>;
  /** Records waiting on disk. */
  count(): number;
  stats(): { records: number; bytes: number; segments: number; tornLines: number };
  close(): Promise<void>;
}

interface PendingAppend {
  text: string;
  bytes: number;
  records: number;
  resolve(): void;
  reject(err: Error): void;
}

/**
 * An append-only on-disk FIFO of records: the fallback a backend's records wait in while it is down.
 * Appends are group-committed (one write + one fsync for every append queued meanwhile). Each process appends
 * to a fresh segment, so a torn last line left by a crash is never glued to a new one: it is skipped and
 * counted (`spool.torn_lines`). Progress lives in a cursor file, replaced atomically (fsync + rename).
 * One live spool per directory (a `lock` file holding the pid; a dead process's lock is taken over).
 * Layout and start-up scan: spool-files.ts; reading: spool-reader.ts.
 */
export async function createSpool(dir: string, options: SpoolOptions): Promise<Spool> {
  const { diag } = options;
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024;
  await fsp.mkdir(dir, { recursive: true });
  const lock = await acquireSpoolLock(dir); // rejects with SpoolBusyError while another live spool owns dir
  let found: Awaited<ReturnType<typeof recoverSpool>>;
  try {
    found = await recoverSpool(dir, diag);
  } catch (err) {
    await lock.release();
    throw err;
  }
  const { segments, tornLines } = found;
  let { cursor, nextSeq, records: count, bytes: totalBytes } = found;
  let active: { seg: Segment; fh: fsp.FileHandle } | undefined;
  let queue: PendingAppend[] = [];
  let writing: Promise<void> | undefined;
  let reserved = 0;
  let closed = false;
  let ops: Promise<unknown> = Promise.resolve();
  let persisted: Position = { ...cursor };
  let persisting: Promise<void> | undefined;
  let queuedPersist: Promise<void> | undefined;
  const reader = createSegmentReader(dir);

  async function activeSegment(): Promise<{ seg: Segment; fh: fsp.FileHandle }> {
    if (active && active.seg.size >= segmentBytes) await sealActive();
    if (!active) {
      const seq = nextSeq++;
      const fh = await fsp.open(segmentFile(dir, seq), 'a');
      const seg: Segment = { seq, size: (await fh.stat()).size, sealed: false };
      segments.push(seg);
      active = { seg, fh };
      await syncDir(dir);
    }
    return active;
  }

  async function sealActive(): Promise<void> {
    const old = active;
    active = undefined; // synchronously, so a concurrent append opens a new segment instead of this one
    if (!old) return;
    old.seg.sealed = true;
    await old.fh.close();
  }

  async function writeLoop(): Promise<void> {
    while (queue.length > 0) {
      const group = queue;
      queue = [];
      let bytes = 0;
      let records = 0;
      for (const p of group) {
        bytes += p.bytes;
        records += p.records;
      }
      let target: { seg: Segment; fh: fsp.FileHandle } | undefined;
      try {
        target = await activeSegment();
        await target.fh.appendFile(group.length === 1 ? group[0].text : group.map((p) => p.text).join(''));
        await target.fh.sync();
        target.seg.size += bytes;
        totalBytes += bytes;
        count += records;
        reserved -= bytes;
        for (const p of group) p.resolve();
      } catch (err) {
        reserved -= bytes;
        await repair(target, err);
        const e = new Error(`spool ${dir}: append failed: ${errorMessage(err)}`);
        for (const p of group) p.reject(e);
      }
    }
    writing = undefined;
  }

  /** After a failed append, cut the partial write off so the next append starts on a line boundary. */
  async function repair(target: { seg: Segment; fh: fsp.FileHandle } | undefined, cause: unknown): Promise<void> {
    if (!target || target !== active) return;
    try {
      await target.fh.truncate(target.seg.size);
    } catch (err) {
      // Readers stop at the committed size, and a new segment is started; a later open skips the debris.
      diag.error(`spool ${dir}: could not truncate after a failed append (${errorMessage(cause)})`, err);
      await sealActive().catch((e: unknown) => diag.error(`spool ${dir}: close failed`, e));
    }
  }

  async function doPeek(maxRecords: number, after?: SpoolToken): Promise<{ batch: Batch; token: SpoolToken } | null> {
    const { batch, end, records, corrupt } = await reader.read(segments, after ?? cursor, maxRecords);
    const pos = end;
    const token: SpoolToken = { segment: pos.segment, offset: pos.offset, lines: records + corrupt, corrupt };
    if (records > 0) return { batch, token };
    if (!after && comparePos(pos, cursor) > 0) {
      // Only debris was read: move past it. Not awaited, since persisting queues behind this very peek.
      ack(token).catch((err: unknown) => diag.error(`spool ${dir}: cursor update failed`, err));
    }
    return null;
  }

  /** Moves the cursor in memory at once; the returned promise resolves once a cursor file covering it is written. */
  function ack(token: SpoolToken): Promise<void> {
    if (comparePos(token, cursor) > 0) {
      cursor = { segment: token.segment, offset: token.offset };
      count = Math.max(0, count - token.lines);
      if (token.corrupt > 0) {
        diag.count('spool.corrupt_lines', token.corrupt);
        diag.warn(`spool ${dir}: skipped ${token.corrupt} unreadable line(s)`);
      }
    }
    return persist();
  }

  /**
   * Acks that arrive while the cursor file is being written share the next write: one fsync for many acks,
   * so replaying a spool is not bound by one fsync per batch.
   */
  function persist(): Promise<void> {
    if (queuedPersist) return queuedPersist;
    if (!persisting) {
      persisting = serial(doPersist).finally(() => (persisting = undefined));
      return persisting;
    }
    queuedPersist = persisting.then(
      () => ((queuedPersist = undefined), persist()),
      () => ((queuedPersist = undefined), persist()),
    );
    return queuedPersist;
  }

  async function doPersist(): Promise<void> {
    if (active && cursor.segment === active.seg.seq && cursor.offset >= active.seg.size && !writing) {
      const seq = active.seg.seq;
      await sealActive(); // fully delivered: start afresh so this segment can be deleted
      if (comparePos(cursor, { segment: seq + 1, offset: 0 }) < 0) cursor = { segment: seq + 1, offset: 0 };
    }
    const target = { ...cursor };
    if (comparePos(target, persisted) === 0) return;
    await writeCursor(dir, target);
    persisted = target;
    while (segments.length > 0 && segments[0].seq < persisted.segment && segments[0].sealed) {
      const seg = segments.shift() as Segment;
      await reader.forget(seg.seq);
      await fsp.rm(segmentFile(dir, seg.seq), { force: true });
      totalBytes -= seg.size;
    }
  }

  function serial<T>(op: () => Promise<T>): Promise<T> {
    const run = ops.then(op, op);
    ops = run.catch(() => undefined); // the caller gets the rejection; the chain goes on
    return run;
  }

  return {
    append(batch: Batch): Promise<void> {
      if (closed) return Promise.reject(new Error(`spool ${dir} is closed`));
      const records = recordCount(batch);
      if (records === 0) return Promise.resolve();
      let text: string;
      try {
        text = serializeBatch(batch);
      } catch (err) {
        return Promise.reject(new Error(`spool ${dir}: batch cannot be serialized: ${errorMessage(err)}`));
      }
      const bytes = Buffer.byteLength(text);
      if (totalBytes + reserved + bytes > maxBytes) {
        return Promise.reject(new Error(`spool ${dir} is full (maxBytes ${maxBytes})`));
      }
      reserved += bytes;
      return new Promise<void>((resolve, reject) => {
        queue.push({ text, bytes, records, resolve, reject });
        writing ??= writeLoop();
      });
    },
    peek: (maxRecords, after) => serial(() => doPeek(Math.max(1, maxRecords), after)),
    ack,
    count: () => count,
    stats: () => ({ records: count, bytes: totalBytes, segments: segments.length, tornLines }),
    async close() {
      if (closed) return;
      closed = true;
      await writing;
      await (queuedPersist ?? persisting)?.catch((err: unknown) => diag.error(`spool ${dir}: cursor update failed`, err));
      await serial(async () => {
        await sealActive();
        await reader.close();
      });
      await lock.release();
    },
  };
}
