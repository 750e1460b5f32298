import { spanId, type Batch, type LogRecord, type SpanRecord } from '../../shared/model.js';
import { SUCCESS, failure, retryable, type RejectedItem, type WriteResult } from '../../shared/result.js';
import type { Backend } from '../backends/types.js';

/**
 * A controllable in-memory Backend for tests of the wrappers (and of anything built on them): it can be up,
 * down (retryable), slow, throwing, or refuse chosen ids for good. Records are stored by id, idempotently
 * like a real backend, and every write of an id already stored is counted as a duplicate.
 */
export interface FakeBackend extends Backend {
  /** id -> times it was written (1 = exactly once). */
  readonly stored: Map<string, number>;
  /** Stored records by id (the last copy written). */
  readonly records: Map<string, LogRecord | SpanRecord>;
  /** Ids in the order they were first stored. */
  readonly arrival: string[];
  /** write() calls, and how many of them found the backend up. */
  readonly calls: { writes: number; accepted: number; pings: number };
  /** Writes in progress right now, and the most ever seen at once. */
  readonly concurrency: { now: number; max: number };
  closed: boolean;
  setUp(): void;
  /** Every write answers retryable(reason, delayMs) until setUp(). */
  setDown(reason?: string, delayMs?: number): void;
  /** Every write takes `ms` before it is answered (the state is read when the write starts). */
  setSlow(ms: number): void;
  /** Every write throws (a backend breaking the contract). */
  setThrowing(): void;
  /** Ids for which the predicate holds are refused for good with `reason`. */
  rejectWhen(predicate: (id: string) => boolean, reason?: string): void;
  /** Writes of ids that were already stored. */
  duplicates(): number;
}

export function createFakeBackend(name = 'fake', options: { ping?: boolean } = {}): FakeBackend {
  let mode: 'up' | 'down' | 'throw' = 'up';
  let downReason = 'fake backend is down';
  let downDelay = 0;
  let slowMs = 0;
  let reject: { predicate: (id: string) => boolean; reason: string } | undefined;
  let dups = 0;

  const fake: FakeBackend = {
    name,
    stored: new Map(),
    records: new Map(),
    arrival: [],
    calls: { writes: 0, accepted: 0, pings: 0 },
    concurrency: { now: 0, max: 0 },
    closed: false,
    async write(batch: Batch): Promise<WriteResult> {
      fake.calls.writes++;
      const state = { mode, downReason, downDelay, slowMs, reject };
      fake.concurrency.now++;
      fake.concurrency.max = Math.max(fake.concurrency.max, fake.concurrency.now);
      try {
        if (state.slowMs > 0) await new Promise((r) => setTimeout(r, state.slowMs));
        if (state.mode === 'throw') throw new Error('fake backend threw');
        if (fake.closed) return retryable('fake backend is closed');
        if (state.mode === 'down') return retryable(state.downReason, state.downDelay);
        fake.calls.accepted++;
        const reasons: RejectedItem[] = [];
        const store = (id: string, r: LogRecord | SpanRecord) => {
          if (state.reject?.predicate(id)) return void reasons.push({ id, reason: state.reject.reason });
          const n = fake.stored.get(id) ?? 0;
          if (n === 0) fake.arrival.push(id);
          else dups++;
          fake.stored.set(id, n + 1);
          fake.records.set(id, r);
        };
        for (const r of batch.logs) store(r.record_id, r);
        for (const s of batch.spans) store(spanId(s), s);
        return reasons.length > 0 ? failure(reasons) : SUCCESS;
      } finally {
        fake.concurrency.now--;
      }
    },
    async flush() {},
    async close() {
      fake.closed = true;
    },
    setUp: () => void (mode = 'up'),
    setDown(reason = 'fake backend is down', delayMs = 0) {
      mode = 'down';
      downReason = reason;
      downDelay = delayMs;
    },
    setSlow: (ms) => void (slowMs = ms),
    setThrowing: () => void (mode = 'throw'),
    rejectWhen(predicate, reason = 'refused for good') {
      reject = { predicate, reason };
    },
    duplicates: () => dups,
  };
  if (options.ping) {
    fake.ping = async () => {
      fake.calls.pings++;
      return mode === 'up';
    };
  }
  return fake;
}

/** `n` log records with ids `${prefix}${start}`, `${prefix}${start + 1}`, ... */
export function makeLogs(n: number, start = 0, prefix = 'r'): LogRecord[] {
  const out: LogRecord[] = [];
  for (let i = start; i < start + n; i++) {
    out.push({
      record_id: `${prefix}${i}`,
      timestamp: '2025-07-06T10:34:56.123456Z',
      observed_timestamp: '2025-07-06T10:34:56.123456Z',
      severity_text: 'INFO',
      severity_number: 9,
      body: `message ${i}`,
      attributes: { i },
      resource: { 'service.name': 'test' },
      scope: { name: 'isotel' },
    });
  }
  return out;
}

export function makeSpan(i: number): SpanRecord {
  return {
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: i.toString(16).padStart(16, '0'),
    name: `span ${i}`,
    kind: 'INTERNAL',
    start_time: '2025-07-06T10:34:56.123456Z',
    end_time: '2025-07-06T10:34:56.223456Z',
    duration_ms: 100,
    status: { code: 'UNSET' },
    attributes: {},
    events: [],
    links: [],
    resource: { 'service.name': 'test' },
    scope: { name: 'isotel' },
  };
}

export function logBatch(n: number, start = 0, prefix = 'r'): Batch {
  return { logs: makeLogs(n, start, prefix), spans: [], metrics: [] };
}

/** Resolves once `condition()` holds, polling every few ms; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
