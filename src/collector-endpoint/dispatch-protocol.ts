import type { DiagLevel } from '../shared/diag.js';
import type { BackendEntry, DispatcherHealth, FollowedFrame, LogFilter, MetricFilter, Position, Segment, TraceFilter } from '../node/engine/index.js';
import type { SpanKindName } from '../shared/model.js';

/**
 * What the ingest's main thread and its dispatch worker say to each other (dispatch-thread.ts and
 * dispatch-worker.ts). The numbers of each backend's health live in a SharedArrayBuffer the worker writes
 * and the main thread reads, so /health and drain() answer synchronously with current values; the rest
 * travels as messages.
 */
export interface WorkerInit {
  walDir: string;
  dataDir: string;
  entries: BackendEntry[];
  /** The log's segments when the worker starts; every later commit arrives as an `advance`. */
  segments: Segment[];
  batchSize?: number;
  queryBackend?: string;
  /** HEALTH_FIELDS.length Float64 cells per backend, in `entries` order. */
  health: SharedArrayBuffer;
}

export type ToWorker =
  /** A commit round; the frames' payloads are transferred, not copied. */
  | { t: 'advance'; head: Position; records: number; frames: FollowedFrame[] }
  | { t: 'query'; id: number; op: 'getTrace'; traceId: string }
  | { t: 'query'; id: number; op: 'listTraces'; limit: number }
  | { t: 'query'; id: number; op: 'services' }
  | { t: 'query'; id: number; op: 'operations'; service: string; kind?: SpanKindName }
  | { t: 'query'; id: number; op: 'findTraces'; filter: TraceFilter }
  | { t: 'query'; id: number; op: 'findLogs'; filter: LogFilter }
  | { t: 'query'; id: number; op: 'findMetrics'; filter: MetricFilter }
  | { t: 'close' };

export type FromWorker =
  | { t: 'ready'; names: string[]; query?: { name: string; canList: boolean; canSearch: boolean } }
  | { t: 'failed'; message: string }
  | { t: 'released'; index: number }
  | { t: 'drained'; head: { segment: number; offset: number } }
  | { t: 'diag'; level: DiagLevel; message: string; detail?: unknown }
  | { t: 'count'; name: string; n: number }
  | { t: 'last-error'; target: number; last_error?: string; last_error_at?: string }
  | { t: 'answer'; id: number; value?: unknown; error?: string }
  | { t: 'closed' };

/** Per backend: `waiting0` records waited when the worker opened; `committed` were delivered since. */
export const HEALTH_FIELDS = [
  'state',
  'waiting0',
  'committed',
  'delivered',
  'dead_lettered',
  'dropped',
  'writes_total',
  'write_seconds_total',
  'last_write_ms',
] as const;
type Field = (typeof HEALTH_FIELDS)[number];
export const FIELD = Object.fromEntries(HEALTH_FIELDS.map((f, i) => [f, i])) as Record<Field, number>;

export const STATES: readonly DispatcherHealth['state'][] = ['healthy', 'retrying', 'circuit_open', 'closed'];

export function healthCells(targets: number): SharedArrayBuffer {
  return new SharedArrayBuffer(targets * HEALTH_FIELDS.length * Float64Array.BYTES_PER_ELEMENT);
}
