import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { describe, expect, it, vi } from 'vitest';
import type { SenderLock } from '../lock/sender-lock.js';
import { createWebLock } from '../lock/sender-lock.js';
import { createIdbStore } from '../queue/idb-store.js';
import { fakeLocks, fakeTime, idsIn, logRecord, quietDiag, type Reply } from '../testing/fakes.js';
import { setup } from '../testing/sender-setup.js';

describe('sender', () => {
  it('posts queued logs as OTLP JSON with keepalive, sent_at and the ingest key header, then deletes them', async () => {
    const t = setup();
    const ids = t.log(3);
    expect(await t.sender.run()).toEqual({ done: true });
    expect(t.server.calls).toHaveLength(1);
    const call = t.server.calls[0];
    expect(call.url).toBe(`https://ingest.test/v1/logs?sent_at=${t.time.now()}`);
    expect(call.keepalive).toBe(true);
    expect(call.headers).toEqual({ 'content-type': 'application/json', 'x-isotel-ingest-key': 'secret-key' });
    expect(idsIn(call.body)).toEqual(ids);
    expect(t.counters.delivered).toBe(3);
    expect((await t.store.read(10, () => true)).total).toBe(0);
  });

  it('keeps records and retries after Retry-After on 429, sending nothing before', async () => {
    const t = setup({ replies: [{ status: 429, retryAfter: '30' }] });
    t.log(2);
    expect(await t.sender.run()).toEqual({ done: false, reason: 'retry-later' });
    expect((await t.store.read(10, () => true)).total).toBe(2);
    await t.time.advance(29_000);
    expect(t.server.calls).toHaveLength(1);
    await t.time.advance(1_000);
    expect(t.server.calls).toHaveLength(2);
    expect(t.counters.delivered).toBe(2);
    expect(t.counters.droppedTotal).toBe(0);
  });

  it('honours Retry-After as an HTTP date on 503', async () => {
    const time = fakeTime();
    const t = setup({ time, replies: [{ status: 503, retryAfter: new Date(time.now() + 120_000).toUTCString() }] });
    t.log(1);
    await t.sender.run();
    await t.time.advance(119_000);
    expect(t.server.calls).toHaveLength(1);
    await t.time.advance(1_000);
    expect(t.server.calls).toHaveLength(2);
  });

  it('backs off exponentially on network errors and 5xx, and resets after a success', async () => {
    const t = setup({ replies: [new Error('offline'), { status: 500 }, { status: 502 }] });
    t.log(1);
    expect((await t.sender.run()).reason).toBe('retry-later');
    expect(t.server.calls).toHaveLength(1);
    // random() = 0: the equal-jitter delays are 0.5 s, 1 s, 2 s.
    const times: number[] = [];
    const start = t.time.now();
    for (let i = 0; i < 40 && t.server.calls.length < 4; i++) {
      const before = t.server.calls.length;
      await t.time.advance(250);
      if (t.server.calls.length > before) times.push(t.time.now() - start);
    }
    expect(t.server.calls).toHaveLength(4);
    expect(times).toEqual([500, 1500, 3500]); // after the first call at 0
    expect(t.counters.delivered).toBe(1);
    expect(t.counters.lastError).toBe('http_502');
  });

  it('drops records refused with a 4xx other than 408/429, counting the reason', async () => {
    const t = setup({ replies: [{ status: 401 }] });
    t.log(4);
    expect(await t.sender.run()).toEqual({ done: true });
    expect(t.counters.dropped).toEqual({ http_401: 4 });
    expect((await t.store.read(10, () => true)).total).toBe(0);
  });

  it('retries 408 like a server error', async () => {
    const t = setup({ replies: [{ status: 408 }] });
    t.log(1);
    expect((await t.sender.run()).reason).toBe('retry-later');
    expect((await t.store.read(10, () => true)).total).toBe(1);
  });

  it('treats a 400 with partial_success as accepted: deletes all, counts the rejected ones', async () => {
    const body = JSON.stringify({ partialSuccess: { rejectedLogRecords: '1', errorMessage: 'record 2: bad severity' } });
    const t = setup({ replies: [{ status: 400, body }] });
    t.log(3);
    await t.sender.run();
    expect(t.counters.delivered).toBe(2);
    expect(t.counters.dropped).toEqual({ rejected_by_ingest: 1 });
    expect(t.counters.lastError).toBe('record 2: bad severity');
    expect((await t.store.read(10, () => true)).total).toBe(0);
  });

  it('counts the rejected data points of a metrics partial_success', async () => {
    const t = setup({ replies: [{ status: 200, body: JSON.stringify({ partialSuccess: { rejectedDataPoints: '2' } }) }] });
    t.log(3);
    await t.sender.run();
    expect([t.counters.dropped, t.counters.delivered]).toEqual([{ rejected_by_ingest: 2 }, 1]);
  });
  it('sends smaller bodies after a 413', async () => {
    const t = setup({ replies: [{ status: 413 }] });
    t.log(200);
    expect(await t.sender.run()).toEqual({ done: true });
    expect(t.server.calls.length).toBeGreaterThan(2);
    expect(t.server.calls[1].body.length).toBeLessThan(t.server.calls[0].body.length);
    expect(t.counters.delivered).toBe(200);
  });

  it('drops a record too large for any body with the reason too_large, reports it, and sends the rest', async () => {
    const t = setup();
    t.queue.push('log', logRecord({ body: 'x'.repeat(200_000) }));
    const ids = t.log(2);
    expect(await t.sender.run()).toEqual({ done: true });
    expect(t.server.calls.flatMap((c) => idsIn(c.body))).toEqual(ids);
    expect(t.counters.dropped).toEqual({ too_large: 1 });
    expect((await t.store.read(10, () => true)).total).toBe(0);
    // Counted in the store too, so the next pass reports it (the warning record sent to the ingest).
    await t.sender.run();
    expect(t.reports).toEqual([{ too_large: 1 }]);
  });

  it('does not send without the sender lock', async () => {
    const lock: SenderLock = { kind: 'solo', acquire: async () => false, held: () => false, release: () => undefined };
    const t = setup({ lock });
    t.log(2);
    expect(await t.sender.run()).toEqual({ done: false, reason: 'not-sender' });
    expect(t.server.calls).toHaveLength(0);
    await t.queue.persist();
    expect((await t.store.read(10, () => true)).total).toBe(2);
  });

  it('beacons pending records on page hide as text/plain with the key in the query, marked inflight', async () => {
    const t = setup();
    const ids = t.log(3);
    await t.sender.beacon();
    expect(t.beacon.sent).toHaveLength(1);
    const { url, body } = t.beacon.sent[0];
    expect(url).toBe(`https://ingest.test/v1/logs?sent_at=${t.time.now()}&ingest_key=secret-key`);
    expect(body.type).toBe('text/plain');
    expect(idsIn(await body.text())).toEqual(ids);
    expect(t.counters.beaconed).toBe(3);
    await t.queue.persist();
    const stored = await t.store.read(10, () => true);
    expect(stored.entries.map(([, e]) => [e.state, e.sentAt])).toEqual(ids.map(() => ['inflight', t.time.now()]));
    // Sent, not delivered: this page does not send them again (they wait for the next load) ...
    expect(await t.sender.run()).toEqual({ done: true });
    expect(t.server.calls).toHaveLength(0);
  });

  it('sends a backlog (a full read) in bodies over 64 KiB without keepalive; a beacon meanwhile carries their records too, unless at most once', async () => {
    for (const atMostOnce of [false, true]) {
      let answer!: (r: Reply) => void;
      const t = setup({ atMostOnce, replies: [new Promise<Reply>((r) => (answer = r))] });
      t.log(1_500); // a full read (1,000) in flight, 500 waiting
      const run = t.sender.run();
      await vi.waitFor(() => expect(t.server.calls).toHaveLength(1));
      const first = t.server.calls[0];
      expect(first.keepalive).toBe(false);
      expect(first.body.length).toBeGreaterThan(64 * 1024);
      await t.sender.beacon();
      const beaconed = (await Promise.all(t.beacon.sent.map((b) => b.body.text()))).flatMap(idsIn);
      expect(beaconed.length).toBeGreaterThan(0);
      const inFlight = new Set(idsIn(first.body));
      expect(beaconed.some((id) => inFlight.has(id))).toBe(!atMostOnce);
      answer({ status: 200, body: '{}' });
      await run;
    }
  });

  it('sends what trickles in (less than a full read) in keepalive bodies of at most 60 KB', async () => {
    const t = setup();
    t.log(300);
    await t.sender.run();
    expect(t.server.calls.length).toBeGreaterThan(1);
    for (const c of t.server.calls) expect([c.keepalive, c.body.length <= 60_000]).toEqual([true, true]);
    expect(t.server.sentIds()).toHaveLength(300);
  });

  it('re-sends beaconed records on the next page load', async () => {
    const first = setup();
    const ids = first.log(2);
    await first.sender.beacon();
    await first.queue.persist();
    await first.sender.stop();
    // Same store, a page loaded later.
    await first.time.advance(1_000);
    const next = setup({ store: first.store, time: first.time, loadTime: first.time.now() });
    expect(await next.sender.run()).toEqual({ done: true });
    expect(next.server.sentIds()).toEqual(ids);
    expect((await first.store.read(10, () => true)).total).toBe(0);
  });

  it('at most once: deletes beaconed records on the next page load instead of sending them again, and sends the rest', async () => {
    const first = setup({ atMostOnce: true });
    first.log(2);
    await first.sender.beacon();
    const later = first.log(1);
    await first.queue.persist();
    await first.sender.stop();
    await first.time.advance(1_000);
    const next = setup({ store: first.store, time: first.time, loadTime: first.time.now(), atMostOnce: true });
    expect(await next.sender.run()).toEqual({ done: true });
    expect(next.server.sentIds()).toEqual(later);
    expect((await first.store.read(10, () => true)).total).toBe(0);
  });

  it('keeps beacons within the 64 KiB keepalive budget', async () => {
    const t = setup();
    for (let i = 0; i < 600; i++) t.queue.push('log', logRecord({ body: 'y'.repeat(500) }));
    await t.sender.beacon();
    const total = (await Promise.all(t.beacon.sent.map((b) => b.body.text()))).reduce((n, s) => n + s.length, 0);
    expect(total).toBeLessThanOrEqual(64 * 1024);
    expect(t.beacon.sent.length).toBeGreaterThanOrEqual(1);
    // What did not fit stays pending for fetch or the next load.
    await t.queue.persist();
    const pending = (await t.store.read(1_000, (e) => e.state === 'pending')).entries.length;
    expect(pending + t.counters.beaconed).toBe(600);
    expect(pending).toBeGreaterThan(0);
  });

  it('sends at once when the network comes back', async () => {
    const t = setup({ replies: [new Error('offline')] });
    t.log(1);
    await t.sender.run();
    t.sender.online();
    await t.time.advance(0);
    expect(t.server.calls).toHaveLength(2);
    expect(t.counters.delivered).toBe(1);
  });

  it('reports drops persisted by any tab as a record before sending', async () => {
    const t = setup();
    await t.store.write({ dropped: { queue_full: 7 } });
    await t.sender.run();
    expect(t.reports).toEqual([{ queue_full: 7 }]);
    expect(await t.store.takeDropped()).toEqual({});
  });

  it('lets one tab at a time send the shared queue, and another take over when it goes', async () => {
    const locks = fakeLocks();
    const use = createStore('isotel-tabs', 'queue');
    const time = fakeTime();
    const tabA = setup({ store: createIdbStore(use), lock: createWebLock(locks, quietDiag()), time });
    const tabB = setup({ store: createIdbStore(use), lock: createWebLock(locks, quietDiag()), time });
    tabA.server.replies.push({ status: 503, retryAfter: '3600' }); // A holds the lock but cannot deliver
    const a = tabA.log(2);
    const b = tabB.log(2);
    await tabB.queue.persist();
    expect((await tabA.sender.run()).reason).toBe('retry-later');
    expect((await tabB.sender.run()).reason).toBe('not-sender');
    expect(tabB.server.calls).toHaveLength(0);
    // Tab A goes away: its lock is released, and B delivers every tab's records, once each.
    await tabA.sender.stop();
    expect(await tabB.sender.run()).toEqual({ done: true });
    expect(tabB.server.sentIds().sort()).toEqual([...a, ...b].sort());
    // A had tried them all (the sender sends every tab's records), before B could send any.
    expect(tabA.server.sentIds().sort()).toEqual([...a, ...b].sort());
  });

  it("sends another tab's records within one tick while it holds the lock with nothing of its own queued", async () => {
    const locks = fakeLocks();
    const use = createStore('isotel-idle-holder', 'queue');
    const time = fakeTime();
    const tabA = setup({ store: createIdbStore(use), lock: createWebLock(locks, quietDiag()), time });
    const tabB = setup({ store: createIdbStore(use), lock: createWebLock(locks, quietDiag()), time });
    const a = tabA.log(1);
    expect(await tabA.sender.run()).toEqual({ done: true });
    expect(tabA.queue.size()).toBe(0);
    // B logs while A holds the lock and believes the queue empty: no channel tells A, its tick must look.
    const b = tabB.log(2);
    await tabB.queue.persist();
    expect((await tabB.sender.run()).reason).toBe('not-sender');
    await time.advance(5_000);
    await vi.waitFor(() => expect(tabA.server.sentIds().sort()).toEqual([...a, ...b].sort()), { timeout: 2_000 });
    expect(tabB.server.calls).toHaveLength(0);
    await tabA.sender.stop();
    await tabB.sender.stop();
  });
});
