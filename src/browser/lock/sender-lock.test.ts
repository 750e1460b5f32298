import { describe, expect, it } from 'vitest';
import { quietDiag } from '../testing/fakes.js';
import { createLeaseLock, createWebLock, type LeaseStorage, type LockManagerLike, LOCK_NAME } from './sender-lock.js';

function memoryStorage(): LeaseStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const noSleep = () => Promise.resolve();

describe('lease lock (localStorage fallback)', () => {
  it('lets one tab hold the lease while it is fresh, and another take it once it expired', async () => {
    const storage = memoryStorage();
    const c = clock();
    const a = createLeaseLock({ storage, ownerId: 'tab-a', now: c.now, diag: quietDiag(), ttlMs: 15_000, sleep: noSleep });
    const b = createLeaseLock({ storage, ownerId: 'tab-b', now: c.now, diag: quietDiag(), ttlMs: 15_000, sleep: noSleep });
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    c.advance(10_000);
    expect(await a.acquire()).toBe(true); // renewed
    c.advance(10_000);
    expect(await b.acquire()).toBe(false); // a renewed 10 s ago
    c.advance(16_000); // a stopped renewing (tab closed or frozen)
    expect(a.held()).toBe(false);
    expect(await b.acquire()).toBe(true);
    expect(await a.acquire()).toBe(false);
  });

  it('hands over at once on release', async () => {
    const storage = memoryStorage();
    const c = clock();
    const a = createLeaseLock({ storage, ownerId: 'a', now: c.now, diag: quietDiag(), sleep: noSleep });
    const b = createLeaseLock({ storage, ownerId: 'b', now: c.now, diag: quietDiag(), sleep: noSleep });
    await a.acquire();
    a.release();
    expect(storage.data.has(LOCK_NAME)).toBe(false);
    expect(await b.acquire()).toBe(true);
    a.release(); // releasing a lease someone else holds does nothing
    expect(await a.acquire()).toBe(false);
  });

  it('resolves a race where two tabs saw a free lease: only the last writer holds it', async () => {
    const real = memoryStorage();
    let stale = true; // both tabs read before either write is visible (separate processes)
    const storage: LeaseStorage = { ...real, getItem: (k) => (stale ? null : real.getItem(k)) };
    const c = clock();
    const wake: Array<() => void> = [];
    const sleep = () => new Promise<void>((r) => wake.push(r));
    const a = createLeaseLock({ storage, ownerId: 'a', now: c.now, diag: quietDiag(), sleep });
    const b = createLeaseLock({ storage, ownerId: 'b', now: c.now, diag: quietDiag(), sleep });
    const pa = a.acquire();
    const pb = b.acquire();
    stale = false;
    for (const w of wake) w();
    expect([await pa, await pb]).toEqual([false, true]);
  });

  it('ignores garbage in the lease key', async () => {
    const storage = memoryStorage();
    storage.setItem(LOCK_NAME, '{not json');
    const a = createLeaseLock({ storage, ownerId: 'a', now: clock().now, diag: quietDiag(), sleep: noSleep });
    expect(await a.acquire()).toBe(true);
  });

  it('reports a throwing localStorage as not held, without throwing', async () => {
    const storage: LeaseStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => undefined,
      removeItem: () => undefined,
    };
    const diag = quietDiag();
    const a = createLeaseLock({ storage, ownerId: 'a', now: clock().now, diag, sleep: noSleep });
    expect(await a.acquire()).toBe(false);
    expect(diag.messages[0]).toMatch(/lease failed/);
  });
});

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
