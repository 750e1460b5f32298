/**
 * One sender per origin: the tab holding this lock sends every tab's records from the shared queue, so no
 * record is sent by two tabs at once. Web Locks (released by the browser when the tab dies), which every
 * current browser has (Chrome 69, Firefox 96, Safari 15.4). Without them each tab acts as the only one
 * (the solo lock): two tabs may then send the same record, and the ingest's idempotent record ids keep
 * one copy. (A localStorage lease used to cover that case; at 0.3 KB gzipped it did not earn its place.)
 */
import type { Diag } from '../../shared/diag.js';

export interface SenderLock {
  /** True when this tab holds the lock (already, or after this call). Never rejects. */
  acquire(): Promise<boolean>;
  held(): boolean;
  /** Gives the lock up (another tab may take it). */
  release(): void;
  readonly kind: 'web-locks' | 'solo';
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
                diag.warn('B15' /* navigator.locks.request failed */, err);
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
      if (release) release();
      release = undefined;
    },
  };
}

/** No Web Locks: this tab acts as if it were the only one (duplicates are absorbed by the ingest). */
export function createSoloLock(): SenderLock {
  let held = false;
  return {
    kind: 'solo',
    held: () => held,
    acquire: () => Promise.resolve((held = true)),
    release: () => void (held = false),
  };
}
