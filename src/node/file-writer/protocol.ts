import type { MessagePort } from 'node:worker_threads';
import type { RotatingFileOptions } from '../backends/filesystem/rotating-file.js';

/**
 * The messages between the logger's thread and its file writer thread. Chunks of whole JSON lines travel in
 * SharedArrayBuffers: the logger keeps each chunk until the writer says it is on disk, so a writer that dies
 * loses nothing (a new one is given the same chunks, and skips the lines the dead one wrote: replay-guard.ts).
 */
export type FileKind = 'logs' | 'spans' | 'metrics';

export interface WriterThreadData {
  /** Marks the thread as isotel's file writer (the worker module runs only when it is set). */
  isotelFileWriter: true;
  port: MessagePort;
  logFile: string;
  spansFile: string;
  metricsFile: string;
  rotation: RotatingFileOptions;
}

export type ToWriter =
  | { type: 'write'; seq: number; kind: FileKind; buf: SharedArrayBuffer; len: number }
  /** Write what was sent, close the files, answer `closed`; chunks that keep failing are then dropped. */
  | { type: 'close' };

export type FromWriter =
  | { type: 'ready' }
  /** Chunk `seq` is written (or, when closing on a failing disk, dropped: `dropped` is true). */
  | { type: 'written'; seq: number; dropped: boolean }
  /** A write failed; the writer retries the same chunk after a backoff. */
  | { type: 'failing'; reason: string }
  | { type: 'closed' };

/** Narrows a message from the writer thread (a trust boundary in name only: both sides are isotel). */
export function isFromWriter(m: unknown): m is FromWriter {
  if (m === null || typeof m !== 'object') return false;
  const t = (m as { type?: unknown }).type;
  switch (t) {
    case 'ready':
    case 'closed':
      return true;
    case 'written':
      return typeof (m as { seq?: unknown }).seq === 'number';
    case 'failing':
      return typeof (m as { reason?: unknown }).reason === 'string';
    default:
      return false;
  }
}

export function isToWriter(m: unknown): m is ToWriter {
  if (m === null || typeof m !== 'object') return false;
  const w = m as Partial<Record<'type' | 'seq' | 'kind' | 'buf' | 'len', unknown>>;
  if (w.type === 'close') return true;
  return (
    w.type === 'write' &&
    typeof w.seq === 'number' &&
    (w.kind === 'logs' || w.kind === 'spans' || w.kind === 'metrics') &&
    w.buf instanceof SharedArrayBuffer &&
    typeof w.len === 'number' &&
    w.len <= w.buf.byteLength
  );
}
