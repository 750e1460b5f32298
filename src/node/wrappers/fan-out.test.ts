import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDiag } from '../../shared/diag.js';
import { createDeliveryChannel } from './delivery.js';
import { createFanOut } from './fan-out.js';
import { createFakeBackend, logBatch, waitFor, type FakeBackend } from './testing.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'isotel-fanout-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

function channelFor(fake: FakeBackend, retryDelayMs: number) {
  return createDeliveryChannel(fake, {
    dataDir: path.join(dir, fake.name),
    diag: createDiag(() => {}),
    batchSize: 100,
    retry: { maxRetries: 2, baseDelayMs: retryDelayMs, maxDelayMs: retryDelayMs, random: () => 0.999 },
    breaker: { threshold: 5, timeoutMs: 1000, healthCheckIntervalMs: 0 },
  });
}

describe('fan-out', () => {
  it('gives every backend every record, and a down backend does not hold up the others', async () => {
    const down = createFakeBackend('down');
    const slow = createFakeBackend('slow');
    const fast = createFakeBackend('fast');
    down.setDown('503');
    slow.setSlow(30);
    const fan = createFanOut([channelFor(down, 300), channelFor(slow, 10), channelFor(fast, 10)]);
    const started = Date.now();
    for (let i = 0; i < 5; i++) fan.enqueue(logBatch(100, i * 100));
    await waitFor(() => fast.stored.size === 500, 2000, 'fast backend');
    expect(Date.now() - started).toBeLessThan(300); // not waiting for the down backend's 2 x 300 ms of retries
    expect(down.stored.size).toBe(0);
    await fan.flush();
    expect(slow.stored.size).toBe(500);
    const health = fan.health();
    expect(health.map((h) => h.name)).toEqual(['down', 'slow', 'fast']);
    expect(health[0]).toMatchObject({ state: 'retrying', waiting_on_disk: 500, delivered: 0 });
    expect(health[2]).toMatchObject({ state: 'healthy', delivered: 500 });
    await Promise.all([fan.close(), fan.close()]);
    expect(fan.health().every((h) => h.state === 'closed')).toBe(true);
    expect([down, slow, fast].every((f) => f.closed)).toBe(true);
  });
});
