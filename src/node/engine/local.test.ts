import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { promises as fsp, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDiag } from '../../shared/diag.js';
import type { Backend } from '../backends/types.js';
import type { OpenedBackend } from '../open-backends.js';
import { openLocalEngine, type LocalEngineOptions } from './local.js';
import { createFakeBackend, logBatch, waitFor, type FakeBackend } from './testing.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'isotel-engine-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

/** A sink as openBackends would give it, with fast retry settings (or the ones a test sets). */
function sink(backend: Backend, o: { maxRetries?: number; retryDelayMs?: number; threshold?: number; batchSize?: number } = {}): OpenedBackend {
  return {
    name: backend.name,
    type: 'fake',
    backend,
    config: o.batchSize ? { batch_size: o.batchSize } : {},
    dataDir: path.join(dir, 'backends', backend.name),
    retry: { maxRetries: o.maxRetries ?? 0, baseDelayMs: o.retryDelayMs ?? 5, maxDelayMs: 50 },
    breaker: { threshold: o.threshold ?? 1000, timeoutMs: 20, healthCheckIntervalMs: 0 },
  };
}

const options = (extra: Partial<LocalEngineOptions> = {}): LocalEngineOptions => ({
  dataDir: dir,
  maxBytes: 64 * 1024 * 1024,
  overflow: 'drop_newest',
  maxPendingRecords: 100_000,
  batchSize: 100,
  diag: createDiag(() => {}),
  ...extra,
});

const exactlyOnce = (fake: FakeBackend, n: number) => {
  expect(fake.stored.size).toBe(n);
  expect(fake.duplicates()).toBe(0);
};

describe('the delivery engine in the Node SDK', () => {
  it('delivers every record to every sink by flush(), once', async () => {
    const a = createFakeBackend('a');
    const b = createFakeBackend('b');
    const engine = await openLocalEngine([sink(a), sink(b)], options());
    for (let i = 0; i < 10; i++) engine.enqueue(logBatch(50, i * 50));
    await engine.flush();
    exactlyOnce(a, 500);
    exactlyOnce(b, 500);
    expect(engine.health().map((h) => [h.name, h.delivered, h.waiting_on_disk])).toEqual([['a', 500, 0], ['b', 500, 0]]);
    await engine.close();
  });

  it('keeps a down sink\'s records on disk without holding up the others, and delivers them when it is back', async () => {
    const up = createFakeBackend('up');
    const down = createFakeBackend('down');
    down.setDown();
    const engine = await openLocalEngine([sink(up), sink(down)], options());
    engine.enqueue(logBatch(300));
    await engine.flush(); // returns: the down sink's records are durably on disk
    exactlyOnce(up, 300);
    const h = engine.health().find((x) => x.name === 'down')!;
    expect(h).toMatchObject({ state: 'retrying', waiting_on_disk: 300, delivered: 0, dropped: 0 });
    down.setUp();
    await waitFor(() => down.stored.size === 300, 5000, 'the sink that came back has every record');
    exactlyOnce(down, 300);
    await engine.close();
  });

  it('delivers what a previous process left on disk, once, when a new one opens the same data_dir', async () => {
    const down = createFakeBackend('pg');
    down.setDown();
    const first = await openLocalEngine([sink(down)], options());
    first.enqueue(logBatch(250));
    await first.flush();
    await first.close();
    const fresh = createFakeBackend('pg');
    const second = await openLocalEngine([sink(fresh)], options());
    await waitFor(() => fresh.stored.size === 250, 5000, 'left records delivered');
    await second.flush();
    exactlyOnce(fresh, 250);
    await second.close();
  });

  it('writes batches of the sink\'s batch_size, else queue.batch_size', async () => {
    const own = createFakeBackend('own');
    const dflt = createFakeBackend('default');
    const sizes = { own: [] as number[], default: [] as number[] };
    for (const [f, list] of [[own, sizes.own], [dflt, sizes.default]] as const) {
      const write = f.write.bind(f);
      f.write = (batch) => (list.push(batch.logs.length), write(batch));
    }
    const engine = await openLocalEngine([sink(own, { batchSize: 7 }), sink(dflt)], options({ batchSize: 40 }));
    engine.enqueue(logBatch(35));
    await engine.flush();
    expect(Math.max(...sizes.own)).toBeLessThanOrEqual(7);
    expect(Math.max(...sizes.default)).toBeGreaterThan(7);
    expect(Math.max(...sizes.default)).toBeLessThanOrEqual(40);
    await engine.close();
  });

  it('retries a failed write max_retries times, retry_delay apart, before the breaker counts it', async () => {
    const flaky = createFakeBackend('flaky');
    flaky.setDown();
    const times: number[] = [];
    const write = flaky.write.bind(flaky);
    flaky.write = (batch) => (times.push(performance.now()), write(batch));
    const engine = await openLocalEngine([sink(flaky, { maxRetries: 3, retryDelayMs: 40, threshold: 1 })], options());
    engine.enqueue(logBatch(1));
    await waitFor(() => times.length >= 4, 3000, 'four attempts');
    // The first round: one attempt and 3 retries; the breaker then opens (threshold 1) and refuses at once.
    await new Promise((r) => setTimeout(r, 10));
    expect(engine.health()[0].state).toBe('circuit_open');
    const gaps = times.slice(1, 4).map((t, i) => t - times[i]);
    expect(gaps.every((g) => g <= 40 * 2 ** 3 + 30)).toBe(true);
    flaky.setUp();
    await waitFor(() => flaky.stored.size === 1, 5000, 'delivered after the breaker half-opened');
    await engine.close();
  });

  it('sends records a sink refuses for good to <data_dir>/dead-letter/<sink>.jsonl, the others on', async () => {
    const picky = createFakeBackend('picky');
    picky.rejectWhen((id) => id === 'r3', 'mapping conflict');
    const engine = await openLocalEngine([sink(picky)], options());
    engine.enqueue(logBatch(10));
    await engine.flush();
    await waitFor(() => engine.health()[0].dead_lettered === 1, 3000, 'dead-lettered');
    await engine.close();
    const lines = readFileSync(path.join(dir, 'dead-letter', 'picky.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; reason: string });
    expect(lines).toMatchObject([{ id: 'r3', reason: 'mapping conflict' }]);
    expect(picky.stored.size).toBe(9);
  });

  it('refuses and counts new records when the log is full (drop_newest), and takes them again once it drains', async () => {
    const down = createFakeBackend('down');
    down.setDown();
    const engine = await openLocalEngine([sink(down)], options({ maxBytes: 256 * 1024 }));
    for (let i = 0; i < 40; i++) engine.enqueue(logBatch(100, i * 100));
    await engine.flush();
    const full = engine.health()[0];
    expect(full.dropped).toBeGreaterThan(0);
    expect(full.waiting_on_disk + full.dropped).toBe(4000);
    expect(engine.log().refusing).toMatch(/full/);
    down.setUp();
    await waitFor(() => engine.log().refusing === undefined, 5000, 'drained and freed');
    engine.enqueue(logBatch(100, 10_000));
    await engine.flush();
    expect(engine.health()[0].dropped).toBe(full.dropped);
    expect(down.stored.has('r10099')).toBe(true);
    await engine.close();
  });

  it('gives up the oldest records instead when queue.overflow is drop_oldest', async () => {
    const down = createFakeBackend('down');
    down.setDown();
    const engine = await openLocalEngine([sink(down)], options({ maxBytes: 256 * 1024, overflow: 'drop_oldest' }));
    for (let i = 0; i < 40; i++) engine.enqueue(logBatch(100, i * 100));
    await engine.flush();
    const h = engine.health()[0];
    expect(h.dropped).toBeGreaterThan(0);
    down.setUp();
    await waitFor(() => engine.health()[0].waiting_on_disk === 0, 5000, 'drained');
    expect(down.stored.has('r3999')).toBe(true); // the newest kept
    expect(down.stored.has('r0')).toBe(false); // the oldest given up
    await engine.close();
  });

  it('drops and counts records beyond queue.max_records that wait for the disk', async () => {
    const a = createFakeBackend('a');
    const engine = await openLocalEngine([sink(a)], options({ maxPendingRecords: 150 }));
    engine.enqueue(logBatch(100));
    engine.enqueue(logBatch(100, 100)); // the first is not on disk yet: 200 > 150
    await engine.flush();
    expect(engine.health()[0].dropped).toBe(100);
    expect(a.stored.size).toBe(100);
    await engine.close();
  });

  it('keeps a kept sink\'s cursor across a reload and starts a new sink at the end of the log', async () => {
    const a = createFakeBackend('a');
    a.setDown();
    const engine = await openLocalEngine([sink(a)], options());
    engine.enqueue(logBatch(50));
    await engine.flush();
    const a2 = createFakeBackend('a');
    const b = createFakeBackend('b');
    await engine.setSinks([sink(a2), sink(b)]);
    engine.enqueue(logBatch(10, 50));
    await engine.flush();
    exactlyOnce(a2, 60);
    exactlyOnce(b, 10);
    await engine.close();
    expect(engine.health().every((h) => h.state === 'closed')).toBe(true);
  });
});
