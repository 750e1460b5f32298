import { describe, expect, it } from 'vitest';
import { fakeLocks, quietDiag } from '../testing/fakes.js';
import { createWebLock, type LockManagerLike } from './sender-lock.js';

describe('Web Locks lock', () => {
  it('gives the lock to one tab at a time and to the next after release', async () => {
    const locks = fakeLocks();
    const a = createWebLock(locks, quietDiag());
    const b = createWebLock(locks, quietDiag());
    expect(await a.acquire()).toBe(true);
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    a.release();
    await new Promise((r) => setTimeout(r, 0));
    expect(a.held()).toBe(false);
    expect(await b.acquire()).toBe(true);
    expect(b.held()).toBe(true);
  });

  it('treats a failing navigator.locks as not held', async () => {
    const locks: LockManagerLike = { request: () => Promise.reject(new Error('SecurityError')) };
    const a = createWebLock(locks, quietDiag());
    expect(await a.acquire()).toBe(false);
  });
});
