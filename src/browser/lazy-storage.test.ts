import { describe, expect, it } from 'vitest';
import { liteFeatures } from './features-lite.js';
import { createTelemetry } from './initialize.js';
import { createSoloLock } from './lock/sender-lock.js';
import { createMemoryStore } from './queue/memory-store.js';
import { fakeServer, fakeTime, idsIn, quietDiag } from './testing/fakes.js';

/** A Storage that counts every access (Chromium's first synchronous one costs 7-24 ms: none during init). */
function countingStorage(counter: { n: number }, init: Record<string, string> = {}): Storage {
  const m = new Map(Object.entries(init));
  const c = <T>(v: T): T => (counter.n++, v);
  return {
    get length() {
      return c(m.size);
    },
    clear: () => c(m.clear()),
    getItem: (k) => c(m.get(k) ?? null),
    key: (i) => c(Array.from(m.keys())[i] ?? null),
    removeItem: (k) => c(void m.delete(k)),
    setItem: (k, v) => c(void m.set(k, v)),
  };
}

function page(local: Record<string, string> = {}, over: Record<string, unknown> = {}) {
  const counter = { n: 0 };
  const localStorage = countingStorage(counter, local);
  const sessionStorage = countingStorage(counter);
  const win = Object.assign(new EventTarget(), { location: { href: 'https://shop.example.com/' }, document: { visibilityState: 'visible' } });
  Object.defineProperty(win, 'localStorage', { get: () => (counter.n++, localStorage) });
  Object.defineProperty(win, 'sessionStorage', { get: () => (counter.n++, sessionStorage) });
  const time = fakeTime();
  const server = fakeServer();
  const store = createMemoryStore();
  const telemetry = createTelemetry({ endpoint: 'https://ingest.example.com', serviceName: 'web', ...over }, liteFeatures, {
    win, store, request: server.request, beacon: null, lock: createSoloLock(), now: time.now, timers: time.timers, diag: quietDiag(),
  });
  return { counter, telemetry, time, server, store, localStorage };
}

const rescued = (entries: Array<[string, string, number?]>): string =>
  JSON.stringify(entries.map(([key, body, sentAt]) => [key, { kind: 'log', record: { record_id: key, body, attributes: {} }, bytes: 0, state: sentAt ? 'inflight' : 'pending', sentAt }]));

describe('init touches no storage (page-load cost)', () => {
  it('reads storage in a task after init; a record logged before that still carries the session id', async () => {
    const p = page();
    p.telemetry.logger.info('early');
    expect(p.counter.n).toBe(0);
    await p.time.advance(0);
    expect(p.counter.n).toBeGreaterThan(0);
    await p.telemetry.flush();
    const body = JSON.parse(p.server.calls[0]!.body);
    const attrs = body.resourceLogs[0].scopeLogs[0].logRecords[0].attributes as Array<{ key: string; value: { stringValue?: string } }>;
    expect(attrs.find((a) => a.key === 'session.id')?.value.stringValue).toBe(p.telemetry.sessionId);
  });

  it('replays the page-close rescue before the queue is first read, even when flushed at once', async () => {
    const p = page({ 'isotel.rescue.x': rescued([['r1', 'rescued']]) });
    p.telemetry.logger.info('now');
    await p.telemetry.flush();
    expect(p.server.calls).toHaveLength(1);
    expect(idsIn(p.server.calls[0]!.body).sort()).toEqual(expect.arrayContaining(['r1']));
    expect(p.localStorage.length).toBe(0);
  });

  it('with unloadAtMostOnce, what the last page beaconed is deleted before the sender reads, not sent', async () => {
    const p = page({ 'isotel.rescue.x': rescued([['b1', 'beaconed', 1], ['r2', 'kept']]) }, { unloadAtMostOnce: true });
    await p.store.write({ put: [['b1', { kind: 'log', record: { record_id: 'b1' } as never, bytes: 10, state: 'inflight', sentAt: 1 }]] });
    await p.telemetry.flush();
    const ids = p.server.calls.flatMap((c) => idsIn(c.body));
    expect(ids).toContain('r2');
    expect(ids).not.toContain('b1');
  });
});
