/**
 * The write-ahead queue's storage contract. One key per record; keys sort by creation time (record ids),
 * so "oldest first" is key order. Every tab of an origin shares one store.
 */
import type { LogRecord } from '../../shared/model.js';
import type { OtlpMetricRecord, OtlpSpanRecord } from '../../shared/otlp/types.js';

export type QueueEntry =
  | { kind: 'log'; record: LogRecord; bytes: number; state: 'pending' | 'inflight'; sentAt?: number }
  | { kind: 'span'; record: OtlpSpanRecord; bytes: number; state: 'pending' | 'inflight'; sentAt?: number }
  | { kind: 'metric'; record: OtlpMetricRecord; bytes: number; state: 'pending' | 'inflight'; sentAt?: number };

export type KeyedEntry = [key: string, entry: QueueEntry];

/** Drop counts by reason (`queue_full`, `too_large`, ...). */
export type DropCounts = Record<string, number>;

export interface StoreChange {
  /** New records. */
  put?: KeyedEntry[];
  /** Stored records' new state (beacon marks); a record no longer stored (delivered meanwhile) is not brought back. */
  mark?: KeyedEntry[];
  del?: string[];
  /** Added to the persisted drop counters in the same transaction. */
  dropped?: DropCounts;
}

export interface ReadResult {
  /** The oldest accepted entries, by key, at most `limit`. */
  entries: KeyedEntry[];
  /** Every record in the store (accepted or not). */
  total: number;
}

export interface TrimResult {
  count: number;
  bytes: number;
  /** Oldest entries removed to get within the bounds (added to the drop counters as `queue_full`). */
  removed: number;
}

/**
 * Implementations: IndexedDB (idb-keyval) and memory. Every method resolves or rejects; a rejection
 * makes the queue fall back to memory.
 */
export interface QueueStore {
  readonly kind: 'indexeddb' | 'memory';
  /** Puts, deletes and drop counts in one transaction. */
  write(change: StoreChange): Promise<void>;
  read(limit: number, accept: (entry: QueueEntry) => boolean): Promise<ReadResult>;
  /** Removes the oldest entries beyond the bounds, atomically. */
  trim(maxCount: number, maxBytes: number): Promise<TrimResult>;
  /** Reads and resets the persisted drop counters. */
  takeDropped(): Promise<DropCounts>;
}

export function addCounts(into: DropCounts, from: DropCounts | undefined): DropCounts {
  if (from) for (const k of Object.keys(from)) into[k] = (into[k] || 0) + from[k];
  return into;
}
