/**
 * One sender per origin: the tab holding this lock sends every tab's records from the shared queue, so no
 * record is sent by two tabs at once. Web Locks when the browser has them (released by the browser when
 * the tab dies); otherwise a lease in localStorage with an expiry, renewed on every send.
 */
import type { Diag } from '../../shared/diag.js';

export interface SenderLock {
  /** True when this tab holds the lock (already, or after this call). Never rejects. */
  acquire(): Promise<boolean>;
  held(): boolean;
  /** Gives the lock up (another tab may take it). */
  release(): void;
  readonly kind: 'web-locks' | 'lease' | 'solo';
}

export const LOCK_NAME = 'isotel-sender';

/** The part of navigator.locks used here. */
export interface LockManagerLike {
  request(name: string, options: { ifAvailable: boolean }, cb: (lock: unknown) => Promise<void> | undefined): Promise<unknown>;
}

export function createWebLock(locks: LockManagerLike, diag: Diag, name = LOCK_NAME): SenderLock {
  let held = false;
  let release: (() => void) | undefined;
  let acquiring: Promise<boolean> | undefined;
  return {
    kind: 'web-locks',
    held: () => held,
    acquire() {
      if (held) return Promise.resolve(true);
      if (!acquiring) {
        const p = new Promise<boolean>((resolve) => {
          locks
            .request(name, { ifAvailable: true }, (lock) => {
              if (!lock) {
                resolve(false);
                return undefined;
              }
              held = true;
              resolve(true);
              // The lock is held until this promise resolves.
              return new Promise<void>((r) => (release = r));
            })
            .then(
              () => (held = false),
              (err: unknown) => {
                held = false;
                diag.warn('navigator.locks.request failed', err);
                resolve(false);
              },
            );
        });
        acquiring = p;
        // Cleared after the fact: the callback may run before `acquiring` is even assigned.
        void p.then(() => {
          if (acquiring === p) acquiring = undefined;
        });
      }
      return acquiring;
    },
    release() {
      held = false;
      release?.();
      release = undefined;
    },
  };
}

export interface LeaseStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface LeaseOptions {
  storage: LeaseStorage;
  ownerId: string;
  now: () => number;
  diag: Diag;
  /** A lease not renewed for this long is free (default 15 s; the sender renews every few seconds). */
  ttlMs?: number;
  /** Wait after a new write before reading it back, so a racing tab's write is seen (default 50 ms). */
  settleMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function readLease(storage: LeaseStorage): { owner: string; expires: number } | undefined {
  const raw = storage.getItem(LOCK_NAME);
  if (!raw) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'object' && v !== null) {
      const { owner, expires } = v as Record<string, unknown>;
      if (typeof owner === 'string' && typeof expires === 'number') return { owner, expires };
    }
  } catch {
    // Not our format (or garbage): treated as no lease, and overwritten.
  }
  return undefined;
}

export function createLeaseLock(o: LeaseOptions): SenderLock {
  const ttl = o.ttlMs ?? 15_000;
  const settle = o.settleMs ?? 50;
  const sleep = o.sleep ?? sleepMs;
  let myExpiry = 0;
  return {
    kind: 'lease',
    held: () => myExpiry > o.now(),
    async acquire() {
      try {
        const cur = readLease(o.storage);
        const mine = cur !== undefined && cur.owner === o.ownerId;
        if (cur && !mine && cur.expires > o.now()) {
          myExpiry = 0;
          return false;
        }
        const expires = o.now() + ttl;
        o.storage.setItem(LOCK_NAME, JSON.stringify({ owner: o.ownerId, expires }));
        // Two tabs that both saw a free lease both wrote: the last write wins, and each reads back to see which.
        if (!mine) await sleep(settle);
        const after = readLease(o.storage);
        myExpiry = after && after.owner === o.ownerId ? expires : 0;
      } catch (err) {
        o.diag.warn('localStorage lease failed', err);
        myExpiry = 0;
      }
      return myExpiry > o.now();
    },
    release() {
      myExpiry = 0;
      try {
        if (readLease(o.storage)?.owner === o.ownerId) o.storage.removeItem(LOCK_NAME);
      } catch (err) {
        o.diag.warn('localStorage lease release failed', err);
      }
    },
  };
}

/** Neither Web Locks nor localStorage: this tab acts as if it were the only one. */
export function createSoloLock(): SenderLock {
  let held = false;
  return {
    kind: 'solo',
    held: () => held,
    acquire: () => Promise.resolve((held = true)),
    release: () => void (held = false),
  };
}
