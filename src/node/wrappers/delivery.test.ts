import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDiag, type Diag } from '../../shared/diag.js';
import { createDeliveryChannel, type DeliveryChannel, type DeliveryOptions } from './delivery.js';
import { createFakeBackend, logBatch, waitFor, type FakeBackend } from './testing.js';

let dir: string;
let diag: Diag;
const open: DeliveryChannel[] = [];

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'isotel-delivery-'));
  diag = createDiag(() => {});
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await fsp.rm(dir, { recursive: true, force: true });
});

/** Short timings so that outages, retries and the circuit all play out in tens of milliseconds. */
function channel(fake: FakeBackend, over: Partial<DeliveryOptions> = {}): DeliveryChannel {
  const c = createDeliveryChannel(fake, {
    dataDir: dir,
    diag,
    batchSize: 100,
    retry: { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 10 },
    breaker: { threshold: 2, timeoutMs: 30, healthCheckIntervalMs: 0 },
    ...over,
  });
  open.push(c);
  return c;
}

const range = (from: number, to: number, prefix = 'r') => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function expectExactlyOnceInOrder(fake: FakeBackend, ids: string[]): void {
  expect(fake.arrival).toEqual(ids);
  expect([...fake.stored.values()].every((n) => n === 1)).toBe(true);
}

describe('delivery channel', () => {
  it('delivers every record in full batches with at most maxInFlight writes at once', async () => {
    const fake = createFakeBackend();
    fake.setSlow(5);
    const c = channel(fake, { maxInFlight: 2 });
    for (let i = 0; i < 40; i++) c.enqueue(logBatch(25, i * 25));
    await c.flush();
    expectExactlyOnceInOrder(fake, range(0, 1000));
    expect(fake.calls.writes).toBe(10); // 40 batches of 25 merged into writes of batchSize 100
    expect(fake.concurrency.max).toBe(2);
    expect(c.health()).toMatchObject({ name: 'fake', state: 'healthy', delivered: 1000, waiting_on_disk: 0, dropped: 0 });
  });

  it('enqueue never throws, even for a malformed batch, and never blocks', async () => {
    const c = channel(createFakeBackend());
    expect(() => c.enqueue(null as unknown as Parameters<DeliveryChannel['enqueue']>[0])).not.toThrow();
    c.enqueue({ logs: [], spans: [] });
    await c.flush();
  });

  it('keeps records on disk while the backend is down and delivers each exactly once, in order, when it is back', async () => {
    const fake = createFakeBackend();
    fake.setDown('ECONNREFUSED');
    const c = channel(fake);
    for (let i = 0; i < 5; i++) c.enqueue(logBatch(100, i * 100));
    await sleep(60);
    for (let i = 5; i < 10; i++) c.enqueue(logBatch(100, i * 100));
    await c.flush();
    const h = c.health();
    expect(h.waiting_on_disk).toBe(1000);
    expect(['retrying', 'circuit_open']).toContain(h.state);
    expect(h.last_error).toMatch(/ECONNREFUSED/);
    expect(fake.stored.size).toBe(0);

    fake.setUp();
    await waitFor(() => fake.stored.size === 1000, 3000, 'replay after recovery');
    for (let i = 10; i < 12; i++) c.enqueue(logBatch(100, i * 100));
    await c.flush();
    await waitFor(() => fake.stored.size === 1200, 3000, 'records after recovery');
    expectExactlyOnceInOrder(fake, range(0, 1200));
    await waitFor(() => c.health().state === 'healthy', 1000, 'healthy');
    expect(c.health()).toMatchObject({ delivered: 1200, waiting_on_disk: 0, dropped: 0 });
  });

  it('flush resolves while the backend is down, with everything durably on disk', async () => {
    const fake = createFakeBackend();
    fake.setDown();
    const c = channel(fake, { retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 10 } });
    c.enqueue(logBatch(250));
    const started = Date.now();
    await c.flush();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(c.health().waiting_on_disk).toBe(250);
    await c.close();
    expect(c.health().state).toBe('closed');
    expect(fake.closed).toBe(true);

    // The next process finds them and replays them before anything new.
    const fake2 = createFakeBackend();
    const c2 = channel(fake2);
    c2.enqueue(logBatch(50, 250));
    await waitFor(() => fake2.stored.size === 300, 3000, 'replay on start-up');
    expectExactlyOnceInOrder(fake2, range(0, 300));
    expect(c2.health().waiting_on_disk).toBe(0);
  });

  it('opens the circuit and stops calling the backend while it is open', async () => {
    const fake = createFakeBackend();
    fake.setDown();
    const c = channel(fake, { breaker: { threshold: 2, timeoutMs: 60_000, healthCheckIntervalMs: 0 } });
    for (let i = 0; i < 6; i++) {
      c.enqueue(logBatch(100, i * 100));
      await c.flush();
      await sleep(15);
    }
    await waitFor(() => c.health().state === 'circuit_open', 2000, 'circuit open');
    const calls = fake.calls.writes;
    c.enqueue(logBatch(100, 600));
    await c.flush();
    await sleep(40);
    expect(fake.calls.writes).toBe(calls);
    expect(c.health().waiting_on_disk).toBe(700);
  });

  it('puts records refused for good into the dead-letter file and delivers the rest', async () => {
    const fake = createFakeBackend();
    fake.rejectWhen((id) => id.endsWith('7'), 'mapper_parsing_exception');
    const c = channel(fake);
    c.enqueue(logBatch(100));
    await c.flush();
    const lines = (await fsp.readFile(path.join(dir, 'dead-letter.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatchObject({ reason: 'mapper_parsing_exception', backend: 'fake', id: 'r7', record: { record_id: 'r7' } });
    expect(typeof lines[0].at).toBe('string');
    expect(c.health()).toMatchObject({ delivered: 90, dead_lettered: 10, dropped: 0 });
    expect(c.health().last_error).toMatch(/refused/);
  });

  it('spills to disk when memory overflows, loses nothing and keeps the order', async () => {
    const fake = createFakeBackend();
    fake.setSlow(10);
    const c = channel(fake, { maxInMemoryRecords: 300 });
    for (let i = 0; i < 30; i++) c.enqueue(logBatch(100, i * 100));
    expect(diag.counters()['delivery.spilled']).toBeGreaterThan(0);
    await c.flush();
    await waitFor(() => fake.stored.size === 3000, 4000, 'all delivered');
    expectExactlyOnceInOrder(fake, range(0, 3000));
    expect(c.health()).toMatchObject({ delivered: 3000, dropped: 0 });
  });

  it('with overflow drop_oldest, drops the oldest records waiting in memory (counted) instead of spilling them', async () => {
    const fake = createFakeBackend();
    fake.setSlow(30);
    const c = channel(fake, { batchSize: 5, maxInFlight: 1, maxInMemoryRecords: 10, overflow: 'drop_oldest' });
    for (let i = 0; i < 30; i++) c.enqueue(logBatch(1, i));
    await c.flush();
    // A synchronous burst: nothing was being written yet, so the newest 10 are what fitted in memory.
    expect(fake.arrival).toEqual(range(20, 30));
    expect(c.health()).toMatchObject({ delivered: 10, dropped: 20, waiting_on_disk: 0 });
    expect(diag.counters()['delivery.spilled']).toBeUndefined();
    expect(diag.counters()['delivery.dropped_oldest']).toBe(20);
  });

  it('drops and counts records only when even the spool cannot take them', async () => {
    const fake = createFakeBackend();
    fake.setDown('down');
    const c = channel(fake, { maxSpoolBytes: 60_000 });
    for (let i = 0; i < 10; i++) c.enqueue(logBatch(100, i * 100));
    await c.flush();
    const h = c.health();
    expect(h.dropped).toBeGreaterThan(0);
    expect(h.waiting_on_disk).toBeGreaterThan(0);
    expect(h.dropped + h.waiting_on_disk).toBe(1000);
    expect(h.last_error).toBeDefined(); // the latest of the drop or the breaker's message, whichever came last
    expect(diag.counters()['delivery.dropped']).toBe(h.dropped);
  });

  it('health numbers add up: delivered + dead-lettered + dropped + waiting = enqueued', async () => {
    const fake = createFakeBackend();
    fake.rejectWhen((id) => id.endsWith('3'));
    const c = channel(fake, { maxSpoolBytes: 40_000 });
    c.enqueue(logBatch(300, 0));
    await c.flush();
    fake.setDown();
    for (let i = 3; i < 13; i++) c.enqueue(logBatch(100, i * 100));
    await c.flush();
    let h = c.health();
    expect(h.delivered + h.dead_lettered + h.dropped + h.waiting_on_disk).toBe(1300);
    expect(h.dropped).toBeGreaterThan(0);
    fake.setUp();
    await waitFor(() => c.health().waiting_on_disk === 0, 3000, 'drained');
    h = c.health();
    expect(h.delivered + h.dead_lettered + h.dropped).toBe(1300);
    expect(h.delivered).toBe(fake.stored.size);
    expect(h.dead_lettered).toBeGreaterThan(0);
  });

  it('close() is idempotent, closes the backend once, and counts records enqueued afterwards as dropped', async () => {
    const fake = createFakeBackend();
    const c = channel(fake);
    c.enqueue(logBatch(10));
    await Promise.all([c.close(), c.close()]);
    expect(fake.stored.size).toBe(10);
    expect(fake.closed).toBe(true);
    c.enqueue(logBatch(5, 10));
    expect(c.health()).toMatchObject({ state: 'closed', dropped: 5, delivered: 10 });
    await c.close();
  });

  it('a channel reopened in the same process (configuration reload) takes over the spool once the old one closes', async () => {
    const fake = createFakeBackend();
    fake.setDown();
    const old = channel(fake);
    old.enqueue(logBatch(200));
    await old.flush();
    expect(old.health().waiting_on_disk).toBe(200);
    const fresh = createFakeBackend();
    const next = channel(fresh);
    next.enqueue(logBatch(10, 200));
    await sleep(50);
    expect(fresh.stored.size).toBe(0); // waits: the old channel still owns the spool
    await old.close();
    await waitFor(() => fresh.stored.size === 210, 3000, 'takeover');
    expectExactlyOnceInOrder(fresh, range(0, 210));
  });

  it('uses a spool directory of its own when another live process holds the first one', async () => {
    await fsp.mkdir(path.join(dir, 'spool'), { recursive: true });
    await fsp.writeFile(path.join(dir, 'spool', 'lock'), String(process.ppid)); // a live process that is not us
    const fake = createFakeBackend();
    fake.setDown();
    const c = channel(fake);
    c.enqueue(logBatch(20));
    await c.flush();
    expect(c.health().waiting_on_disk).toBe(20);
    expect((await fsp.readdir(path.join(dir, 'spool-2'))).some((f) => f.startsWith('seg-'))).toBe(true);
  });

  it('rejects invalid options naming the field', () => {
    expect(() => createDeliveryChannel(createFakeBackend(), { dataDir: dir, diag, batchSize: 0 })).toThrow(/delivery\.batchSize/);
  });
});
