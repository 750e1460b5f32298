import type { Batch } from '../../shared/model.js';
import type { WriteResult } from '../../shared/result.js';
import type { LogRecord, SignalName, SpanRecord } from '../../shared/model.js';
import type { TraceSearch } from './trace-search.js';

/**
 * The one small interface every backend implements (ARCHITECTURE.md, "Backend interface").
 * `write` never rejects: it resolves with a result. Retry, circuit breaker, fallback and fan-out are
 * parts of the delivery engine (src/node/engine), not subclasses.
 */
export interface Backend {
  /** A short name for health reports and errors, e.g. `postgres` or `filesystem:./logs/app.jsonl`. */
  readonly name: string;
  /** Writes a batch idempotently: writing the same record twice stores it once. */
  write(batch: Batch): Promise<WriteResult>;
  /** Resolves when everything accepted so far is durable in the backend. */
  flush(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
  /**
   * Writes this backend takes at once (default: the engine's window, 2-3). 1 for a client whose writes must not
   * overlap, e.g. Kafka's idempotent producer, whose sequence numbers must reach the broker in order.
   */
  readonly maxInFlight?: number;
  /**
   * The signals this backend stores (default: `['log', 'span']`). The engine refuses, with a reason, the records of
   * any other signal before `write` sees them (signals.ts): a backend never drops a signal it does not know silently.
   */
  readonly signals?: readonly SignalName[];
  /**
   * Signals this backend takes no part in by design (the Prometheus sink: logs and spans): their records are
   * done for it, neither written nor dead-lettered. A signal in neither list is refused with a reason.
   */
  readonly skips?: readonly SignalName[];
  /** Optional cheap liveness probe used by the circuit breaker's health check. */
  ping?(): Promise<boolean>;
  /** Every span and log of a trace, for the query API. */
  getTrace?(traceId: string): Promise<TraceResult>;
  /** The most recent traces (newest first), for trace lists in viewers. */
  listTraces?(limit: number): Promise<TraceSummary[]>;
  /** Services, operations and trace search, for the Jaeger query API (trace-search.ts). Plain functions: wrappers pass it on as is. */
  search?: TraceSearch;
}

export interface TraceSummary {
  trace_id: string;
  start_time: string;
  duration_ms: number;
  span_count: number;
  /** The name of the root span (or of the earliest span when the root is not stored). */
  root_name: string;
  services: string[];
  error: boolean;
}

/** Groups spans into trace summaries, newest first. Shared by backends that list traces from raw spans. */
export function summarizeTraces(spans: Iterable<SpanRecord>, limit: number): TraceSummary[] {
  const byTrace = new Map<string, { start: string; end: string; count: number; root?: SpanRecord; first: SpanRecord; services: Set<string>; error: boolean }>();
  for (const s of spans) {
    let t = byTrace.get(s.trace_id);
    if (!t) {
      t = { start: s.start_time, end: s.end_time, count: 0, first: s, services: new Set(), error: false };
      byTrace.set(s.trace_id, t);
    }
    t.count++;
    if (s.start_time < t.start) {
      t.start = s.start_time;
      t.first = s;
    }
    if (s.end_time > t.end) t.end = s.end_time;
    if (!s.parent_span_id) t.root = s;
    const svc = s.resource['service.name'];
    if (typeof svc === 'string') t.services.add(svc);
    if (s.status.code === 'ERROR') t.error = true;
  }
  return [...byTrace.entries()]
    .map(([trace_id, t]) => ({
      trace_id,
      start_time: t.start,
      duration_ms: Math.max(0, Date.parse(t.end) - Date.parse(t.start)),
      span_count: t.count,
      root_name: (t.root ?? t.first).name,
      services: [...t.services].sort(),
      error: t.error,
    }))
    .sort((a, b) => (a.start_time < b.start_time ? 1 : a.start_time > b.start_time ? -1 : 0))
    .slice(0, limit);
}

export interface TraceResult {
  spans: SpanRecord[];
  logs: LogRecord[];
}

/** Health of one backend as `logger.health()` reports it. */
export interface BackendHealth {
  name: string;
  state: 'healthy' | 'retrying' | 'circuit_open' | 'closed';
  waiting_on_disk: number;
  delivered: number;
  dead_lettered: number;
  dropped: number;
  last_error?: string;
  last_error_at?: string;
}

/** A factory registered for a `backend_type` (built-in or the user's own). */
export type BackendFactory = (config: Record<string, unknown>, context: BackendContext) => Promise<Backend> | Backend;

export interface BackendContext {
  /** The directory isotel may use for fallback files, dead letters and cursors of this backend. */
  dataDir: string;
  diag: import('../../shared/diag.js').Diag;
}
