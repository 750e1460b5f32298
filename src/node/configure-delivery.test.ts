import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configureLogger } from './configure.js';
import { createBackendRegistry } from './registry.js';
import { createFakeBackend, waitFor, type FakeBackend } from './engine/testing.js';

/**
 * The logger's delivery keys, each read from the configuration and seen to change what happens: the engine's
 * own tests (engine/local.test.ts) cover the mechanisms; these cover that the YAML keys reach them.
 */
let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'isotel-delivery-keys-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

async function open(queue: Record<string, unknown>, backendConfig: Record<string, unknown> = {}) {
  const fake = createFakeBackend('sink');
  const registry = createBackendRegistry();
  registry.register('fake', () => fake);
  const config = { logger: { service_name: 'keys', enable_console: false, data_dir: dir, queue, backends: [{ backend_type: 'fake', config: { max_retries: 0, retry_delay: 0.01, circuit_breaker_threshold: 1000, ...backendConfig } }] } };
  const logger = await configureLogger({ config, registry, exitHooks: false, registerGlobal: false, diagSink: () => {} });
  return { logger, fake };
}

const logMany = (logger: Awaited<ReturnType<typeof configureLogger>>, n: number) => {
  for (let i = 0; i < n; i++) logger.info('record', { i, pad: 'x'.repeat(200) });
};

describe('delivery keys of the logger configuration', () => {
  it('queue.max_disk_bytes bounds the durable log; queue.overflow drop_newest refuses the newest, counted', async () => {
    const { logger, fake } = await open({ max_disk_bytes: 262_144 });
    fake.setDown();
    logMany(logger, 4000);
    await logger.flush();
    const h = logger.health();
    expect(h.delivery_log).toMatchObject({ max_bytes: 262_144 });
    expect(h.backends[0].dropped).toBeGreaterThan(0);
    fake.setUp();
    await waitFor(() => logger.health().backends[0].waiting_on_disk === 0, 5000, 'drained');
    expect([...fake.records.values()].some((r) => 'attributes' in r && r.attributes.i === 0)).toBe(true); // the oldest kept
    await logger.close();
  });

  it('queue.overflow drop_oldest gives up the oldest records instead', async () => {
    const { logger, fake } = await open({ max_disk_bytes: 262_144, overflow: 'drop_oldest' });
    fake.setDown();
    logMany(logger, 4000);
    await logger.flush();
    expect(logger.health().backends[0].dropped).toBeGreaterThan(0);
    fake.setUp();
    await waitFor(() => logger.health().backends[0].waiting_on_disk === 0, 5000, 'drained');
    const kept = [...fake.records.values()].map((r) => ('attributes' in r ? Number(r.attributes.i) : -1));
    expect(kept).toContain(3999); // the newest kept
    expect(kept).not.toContain(0);
    await logger.close();
  });

  it('queue.batch_size and the backend batch_size set the records per write', async () => {
    for (const [queue, own, most] of [[{ batch_size: 50 }, {}, 50], [{ batch_size: 50 }, { batch_size: 20 }, 20]] as const) {
      const { logger, fake } = await open(queue, own);
      const sizes: number[] = [];
      const write = fake.write.bind(fake);
      fake.write = (b) => (sizes.push(b.logs.length), write(b));
      logMany(logger, 500);
      await logger.flush();
      expect(Math.max(...sizes)).toBe(most);
      await logger.close();
    }
  });

  it('max_retries and retry_delay set how often and how far apart a failed write is tried again', async () => {
    const { logger, fake } = await open({}, { max_retries: 2, retry_delay: 0.05, circuit_breaker_threshold: 1 });
    fake.setDown();
    const times: number[] = [];
    const write = fake.write.bind(fake);
    fake.write = (b) => (times.push(performance.now()), write(b));
    logger.info('one');
    await waitFor(() => logger.health().backends[0].state === 'circuit_open', 5000, 'circuit open');
    expect(times.length).toBe(3); // the write and its 2 retries; then the breaker (threshold 1) opened
    await logger.close();
  });
});
