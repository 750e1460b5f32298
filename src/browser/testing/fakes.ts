/**
 * Test doubles for the browser SDK's injected dependencies: a manual clock with timers, a scripted
 * request function, a recording beacon, a silent diag. Used by unit tests only (never by the builds).
 */
import { createDiag, type Diag } from '../../shared/diag.js';
import type { LogRecord } from '../../shared/model.js';
import type { BeaconFn, RequestFn, TransportRequest, TransportResponse } from '../transport/request.js';
import type { Timers } from '../timers.js';
import type { LockManagerLike } from '../lock/sender-lock.js';
import type { Session } from '../page/session.js';

export interface FakeTime {
  now: () => number;
  timers: Timers;
  /** Moves time forward, running every timer that falls due (in order), with microtasks flushed between. */
  advance(ms: number): Promise<void>;
  pending(): number;
}

export async function settle(): Promise<void> {
  // Enough macrotask turns for chained IndexedDB (fake-indexeddb uses setImmediate) and promise work.
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

export function fakeTime(start = 1_750_000_000_000): FakeTime {
  let t = start;
  let seq = 0;
  const tasks = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => t,
    timers: {
      setTimeout(fn, ms) {
        const id = ++seq;
        tasks.set(id, { at: t + Math.max(0, ms), fn });
        return id;
      },
      clearTimeout(h) {
        tasks.delete(h as number);
      },
    },
    async advance(ms) {
      const end = t + ms;
      for (;;) {
        await settle();
        let next: [number, { at: number; fn: () => void }] | undefined;
        for (const e of tasks) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
        if (!next) break;
        tasks.delete(next[0]);
        t = Math.max(t, next[1].at);
        next[1].fn();
      }
      t = end;
      await settle();
    },
    pending: () => tasks.size,
  };
}

export interface Reply {
  status: number;
  body?: string;
  retryAfter?: string;
}

export interface FakeServer {
  request: RequestFn;
  calls: TransportRequest[];
  /** Replies used in order (a promise: the request is in flight until it settles); when they run out, `fallback` answers. */
  replies: Array<Reply | Error | Promise<Reply>>;
  fallback: Reply;
  /** Ids of every record in every request (log.record.uid / span id), in order. */
  sentIds(): string[];
}

export function fakeServer(fallback: Reply = { status: 200, body: '{}' }): FakeServer {
  const s: FakeServer = {
    calls: [],
    replies: [],
    fallback,
    request: async (req) => {
      s.calls.push(req);
      const r = await (s.replies.length > 0 ? s.replies.shift()! : s.fallback);
      if (r instanceof Error) throw r;
      const res: TransportResponse = { status: r.status, retryAfter: r.retryAfter ?? null, text: async () => r.body ?? '' };
      return res;
    },
    sentIds: () => s.calls.flatMap((c) => idsIn(c.body)),
  };
  return s;
}

/** log.record.uid values (logs) or span ids (traces) in an OTLP JSON body. */
export function idsIn(body: string): string[] {
  const v = JSON.parse(body) as {
    resourceLogs?: Array<{ scopeLogs: Array<{ logRecords: Array<{ attributes?: Array<{ key: string; value: { stringValue?: string } }> }> }> }>;
    resourceSpans?: Array<{ scopeSpans: Array<{ spans: Array<{ spanId: string }> }> }>;
  };
  const out: string[] = [];
  for (const rl of v.resourceLogs ?? [])
    for (const sl of rl.scopeLogs)
      for (const lr of sl.logRecords) out.push(lr.attributes?.find((a) => a.key === 'log.record.uid')?.value.stringValue ?? '?');
  for (const rs of v.resourceSpans ?? []) for (const ss of rs.scopeSpans) for (const sp of ss.spans) out.push(sp.spanId);
  return out;
}

export function recordingBeacon(accept = true): BeaconFn & { sent: Array<{ url: string; body: Blob }> } {
  const sent: Array<{ url: string; body: Blob }> = [];
  const fn = ((url: string, body: Blob) => {
    sent.push({ url, body });
    return accept;
  }) as BeaconFn & { sent: typeof sent };
  fn.sent = sent;
  return fn;
}

export function quietDiag(): Diag & { messages: string[] } {
  const messages: string[] = [];
  const d = createDiag((level, message) => void messages.push(`${level}: ${message}`));
  return Object.assign(d, { messages });
}

let n = 0;
export function logRecord(over: Partial<LogRecord> = {}): LogRecord {
  n++;
  const id = `01JZ3C4V5E${String(n).padStart(14, '0')}`;
  return {
    record_id: id,
    timestamp: '2025-07-06T10:34:56.123456Z',
    observed_timestamp: '2025-07-06T10:34:56.123456Z',
    severity_text: 'INFO',
    severity_number: 9,
    body: `message ${n}`,
    attributes: { n },
    resource: { 'service.name': 'test' },
    scope: { name: 'isotel' },
    ...over,
  };
}

/** navigator.locks with ifAvailable semantics, shared by several "tabs". */
export function fakeLocks(): LockManagerLike {
  const held = new Set<string>();
  return {
    async request(name, _opts, cb) {
      if (held.has(name)) return cb(null);
      held.add(name);
      try {
        return await cb({ name });
      } finally {
        held.delete(name);
      }
    },
  };
}

/** A session that never rolls over (page-info and record tests). */
export const fixedSession = (id: string, sampled = true): Session => ({
  id: () => id,
  previousId: () => undefined,
  stamp: (a) => void (a['session.id'] === undefined && (a['session.id'] = id)),
  sampled: () => sampled,
  stop: () => undefined,
});
