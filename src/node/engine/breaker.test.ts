import { describe, it, expect } from 'vitest';
import { withCircuitBreaker, type BreakerState } from './breaker.js';
import { createFakeBackend, logBatch, waitFor } from './testing.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('withCircuitBreaker', () => {
  it('opens after `threshold` consecutive retryable results and then answers without touching the backend', async () => {
    const fake = createFakeBackend();
    const c = clock();
    const b = withCircuitBreaker(fake, { threshold: 3, timeoutMs: 1000, healthCheckIntervalMs: 0, now: c.now });
    fake.setDown('connection refused');
    for (let i = 0; i < 3; i++) expect((await b.write(logBatch(1))).status).toBe('retryable');
    expect(b.state()).toBe('open');
    c.advance(400);
    const r = await b.write(logBatch(1));
    expect(r).toMatchObject({ status: 'retryable', delayMs: 600 });
    expect(r.status === 'retryable' && r.reason).toMatch(/circuit open.*connection refused/);
    expect(fake.calls.writes).toBe(3);
    await b.close();
  });

  it('a success in between resets the count', async () => {
    const fake = createFakeBackend();
    const b = withCircuitBreaker(fake, { threshold: 2, timeoutMs: 1000, healthCheckIntervalMs: 0 });
    fake.setDown();
    await b.write(logBatch(1));
    fake.setUp();
    await b.write(logBatch(1));
    fake.setDown();
    await b.write(logBatch(1));
    expect(b.state()).toBe('closed');
    await b.close();
  });

  it('permanent failures count as answers, not as outages', async () => {
    const fake = createFakeBackend();
    fake.rejectWhen(() => true);
    const b = withCircuitBreaker(fake, { threshold: 1, timeoutMs: 1000, healthCheckIntervalMs: 0 });
    for (let i = 0; i < 3; i++) expect((await b.write(logBatch(1))).status).toBe('failure');
    expect(b.state()).toBe('closed');
    await b.close();
  });

  it('half-opens after timeoutMs, and a successful trial closes it', async () => {
    const fake = createFakeBackend();
    const c = clock();
    const states: BreakerState[] = [];
    const b = withCircuitBreaker(fake, {
      threshold: 1, timeoutMs: 1000, healthCheckIntervalMs: 0, now: c.now, onStateChange: (s) => states.push(s),
    });
    fake.setDown();
    await b.write(logBatch(1));
    c.advance(999);
    expect(b.state()).toBe('open');
    c.advance(1);
    expect(b.state()).toBe('half_open');
    fake.setUp();
    expect((await b.write(logBatch(1, 5))).status).toBe('success');
    expect(b.state()).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'closed']);
    await b.close();
  });

  it('a failed trial opens it again for another timeoutMs', async () => {
    const fake = createFakeBackend();
    const c = clock();
    const b = withCircuitBreaker(fake, { threshold: 2, timeoutMs: 100, healthCheckIntervalMs: 0, now: c.now });
    fake.setDown();
    await b.write(logBatch(1));
    await b.write(logBatch(1));
    c.advance(100);
    expect(b.state()).toBe('half_open');
    await b.write(logBatch(1)); // one failed trial is enough, not `threshold`
    expect(b.state()).toBe('open');
    expect(await b.write(logBatch(1))).toMatchObject({ status: 'retryable', delayMs: 100 });
    await b.close();
  });

  it('lets exactly one trial through while half-open', async () => {
    const fake = createFakeBackend();
    const c = clock();
    const b = withCircuitBreaker(fake, { threshold: 1, timeoutMs: 10, healthCheckIntervalMs: 0, now: c.now });
    fake.setDown();
    await b.write(logBatch(1));
    c.advance(10);
    fake.setUp();
    fake.setSlow(20);
    const before = fake.calls.writes;
    const results = await Promise.all([b.write(logBatch(1, 1)), b.write(logBatch(1, 2)), b.write(logBatch(1, 3))]);
    expect(results.map((r) => r.status)).toEqual(['success', 'retryable', 'retryable']);
    expect(fake.calls.writes - before).toBe(1);
    expect(b.state()).toBe('closed');
    await b.close();
  });

  it('half-opens early when the periodic ping() health check succeeds', async () => {
    const fake = createFakeBackend('fake', { ping: true });
    const b = withCircuitBreaker(fake, { threshold: 1, timeoutMs: 60_000, healthCheckIntervalMs: 10 });
    fake.setDown();
    await b.write(logBatch(1));
    expect(b.state()).toBe('open');
    await new Promise((r) => setTimeout(r, 40));
    expect(b.state()).toBe('open'); // ping answers false while down
    expect(fake.calls.pings).toBeGreaterThan(0);
    fake.setUp();
    await waitFor(() => b.state() === 'half_open', 1000, 'half-open after a good ping');
    await b.close();
  });

  it('half-opens on its own timer after timeoutMs (real time)', async () => {
    const fake = createFakeBackend();
    const states: BreakerState[] = [];
    const b = withCircuitBreaker(fake, { threshold: 1, timeoutMs: 20, healthCheckIntervalMs: 0, onStateChange: (s) => states.push(s) });
    fake.setDown();
    await b.write(logBatch(1));
    await waitFor(() => states.includes('half_open'), 1000, 'timer half-open');
    await b.close();
  });

  it('stops health checks on close()', async () => {
    const fake = createFakeBackend('fake', { ping: true });
    const b = withCircuitBreaker(fake, { threshold: 1, timeoutMs: 60_000, healthCheckIntervalMs: 5 });
    fake.setDown();
    await b.write(logBatch(1));
    await waitFor(() => fake.calls.pings > 0, 1000, 'a ping');
    await b.close();
    const pings = fake.calls.pings;
    await new Promise((r) => setTimeout(r, 30));
    expect(fake.calls.pings).toBe(pings);
    expect(fake.closed).toBe(true);
  });

  it('rejects invalid options naming the field', () => {
    expect(() => withCircuitBreaker(createFakeBackend(), { threshold: 0, timeoutMs: 1, healthCheckIntervalMs: 0 })).toThrow(
      /breaker\.threshold/,
    );
  });
});
