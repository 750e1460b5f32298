import { describe, it, expect } from 'vitest';
import { withRetry, backoffDelay } from './retry.js';
import { createFakeBackend, logBatch } from './testing.js';

const noSleep = async () => {};

describe('withRetry', () => {
  it('returns success at once without retrying', async () => {
    const fake = createFakeBackend();
    const b = withRetry(fake, { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100, sleep: noSleep });
    expect(await b.write(logBatch(3))).toEqual({ status: 'success' });
    expect(fake.calls.writes).toBe(1);
  });

  it('makes maxRetries + 1 attempts and returns the last retryable result when the backend stays down', async () => {
    const fake = createFakeBackend();
    fake.setDown('503 unavailable');
    const b = withRetry(fake, { maxRetries: 4, baseDelayMs: 1, maxDelayMs: 5, sleep: noSleep });
    const r = await b.write(logBatch(1));
    expect(r).toMatchObject({ status: 'retryable', reason: '503 unavailable' });
    expect(fake.calls.writes).toBe(5);
  });

  it('succeeds once the backend comes back within the retries', async () => {
    const fake = createFakeBackend();
    fake.setDown();
    let slept = 0;
    const sleep = async () => {
      if (++slept === 2) fake.setUp();
    };
    const b = withRetry(fake, { maxRetries: 5, baseDelayMs: 1, maxDelayMs: 5, sleep });
    expect((await b.write(logBatch(2))).status).toBe('success');
    expect(fake.calls.writes).toBe(3);
    expect(fake.stored.size).toBe(2);
  });

  it('sleeps with exponential backoff and full jitter, capped at maxDelayMs', async () => {
    const fake = createFakeBackend();
    fake.setDown();
    const delays: number[] = [];
    const b = withRetry(fake, {
      maxRetries: 6,
      baseDelayMs: 10,
      maxDelayMs: 100,
      random: () => 0.999,
      sleep: async (ms) => void delays.push(ms),
    });
    await b.write(logBatch(1));
    expect(delays).toEqual([9, 19, 39, 79, 99, 99]);
    const low: number[] = [];
    const b2 = withRetry(fake, { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100, random: () => 0, sleep: async (ms) => void low.push(ms) });
    await b2.write(logBatch(1));
    expect(low).toEqual([0, 0, 0]);
  });

  it('never sleeps less than the backend asked for (Retry-After)', async () => {
    const fake = createFakeBackend();
    fake.setDown('429 too many requests', 50);
    const delays: number[] = [];
    const b = withRetry(fake, { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 100, random: () => 0.5, sleep: async (ms) => void delays.push(ms) });
    await b.write(logBatch(1));
    expect(delays).toEqual([50, 50]);
    for (let k = 0; k < 10; k++) expect(backoffDelay(k, 30, 10, 1000, Math.random)).toBeGreaterThanOrEqual(30);
  });

  it('gives the batch back at once when the backend asks to wait longer than maxDelayMs', async () => {
    const fake = createFakeBackend();
    fake.setDown('429', 60_000);
    const b = withRetry(fake, { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 1000, sleep: noSleep });
    expect(await b.write(logBatch(1))).toMatchObject({ status: 'retryable', delayMs: 60_000 });
    expect(fake.calls.writes).toBe(1);
  });

  it('does not retry permanent failures', async () => {
    const fake = createFakeBackend();
    fake.rejectWhen((id) => id === 'r1', 'mapping error');
    const b = withRetry(fake, { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5, sleep: noSleep });
    expect(await b.write(logBatch(3))).toEqual({ status: 'failure', reasons: [{ id: 'r1', reason: 'mapping error' }] });
    expect(fake.calls.writes).toBe(1);
  });

  it('turns a backend that throws into a retryable result', async () => {
    const fake = createFakeBackend();
    fake.setThrowing();
    const b = withRetry(fake, { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5, sleep: noSleep });
    expect(await b.write(logBatch(1))).toMatchObject({ status: 'retryable', reason: 'fake: write threw: fake backend threw' });
  });

  it('close() ends a pending backoff sleep at once and closes the backend', async () => {
    const fake = createFakeBackend();
    fake.setDown();
    const b = withRetry(fake, { maxRetries: 3, baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 1 });
    const started = Date.now();
    const pending = b.write(logBatch(1));
    await new Promise((r) => setTimeout(r, 20));
    await b.close();
    expect((await pending).status).toBe('retryable');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.closed).toBe(true);
  });

  it('an aborted signal stops retries without closing the backend', async () => {
    const fake = createFakeBackend();
    fake.setDown();
    const ac = new AbortController();
    const b = withRetry(fake, { maxRetries: 3, baseDelayMs: 60_000, maxDelayMs: 60_000, signal: ac.signal });
    const pending = b.write(logBatch(1));
    setTimeout(() => ac.abort(), 10);
    expect((await pending).status).toBe('retryable');
    expect(fake.closed).toBe(false);
  });

  it('rejects invalid options naming the field', () => {
    const fake = createFakeBackend();
    expect(() => withRetry(fake, { maxRetries: -1, baseDelayMs: 1, maxDelayMs: 5 })).toThrow(/retry\.maxRetries/);
    expect(() => withRetry(fake, { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 5 })).toThrow(/retry\.maxDelayMs/);
  });
});
