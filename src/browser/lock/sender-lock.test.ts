import { describe, expect, it } from 'vitest';
import { quietDiag } from '../testing/fakes.js';
import { createWebLock, type LockManagerLike } from './sender-lock.js';

/** navigator.locks with ifAvailable semantics, shared by several "tabs". */
function fakeLocks(): LockManagerLike {
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
