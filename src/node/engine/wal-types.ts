import type { Batch } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import type { EncodedFrame } from './frames.js';
import type { Position } from './cursor.js';
import type { WalEntry } from './segments.js';

/** The durable log's types (wal.ts). */
export interface WalOptions {
  dir: string;
  maxBytes: number;
  /** Consumers whose cursors hold segments alive. */
  readers: string[];
  segmentBytes?: number;
  cacheBytes?: number;
  /**
   * The readers live elsewhere (a follower in the dispatch worker, follower.ts): this log only appends, keeps
   * no cache, and deletes no segment; the follower deletes those every cursor has passed and `release`
   * gives their bytes back to the budget.
   */
  external?: boolean;
  diag: Diag;
}

/** `too_large`: one batch's frame is larger than a segment (a quarter of the budget): split it, or refuse it. */
/** `retryAfterSec`: when the refusal says how long to wait (--role ingest: the Kafka breaker's time left). */
export type AppendResult = { ok: true; seq: number } | { ok: false; reason: 'full' | 'closed' | 'io' | 'too_large'; message: string; retryAfterSec?: number };

export interface WalReader {
  readonly name: string;
  /**
   * Entries after the committed cursor (or after `from`, a position this reader was given and has not yet
   * committed: how a consumer keeps several batches in flight), at least one frame and about `maxRecords`
   * records; [] when caught up.
   */
  read(maxRecords: number, from?: Position): Promise<WalEntry[]>;
  /** Marks everything up to `end` delivered. */
  commit(end: Position): Promise<void>;
  /** Records appended but not yet committed by this reader. */
  waiting(): number;
  /** The committed cursor. */
  position(): Position;
}

export interface Pending {
  frame: EncodedFrame;
  seq: number;
  /** For the cache; not kept with external readers, so the records die young (see append). */
  batch?: Batch;
  count: number;
  resolve(r: AppendResult): void;
}

/** What a commit round made durable: the new end of the log, the records it added, and its frames. */
export interface Committed {
  head: Position;
  records: number;
  frames: CommittedFrame[];
}

/** One frame as written: where it is, its record count, and its payload (no longer used by the log). */
export interface CommittedFrame {
  start: Position;
  end: Position;
  count: number;
  crc: number;
  payload: Buffer;
}

/** Whether appends are refused now, and why (the same words a refused append gets). */
export interface WalStatus {
  full: boolean;
  message?: string;
}

