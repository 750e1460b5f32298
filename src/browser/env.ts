/**
 * Everything the SDK takes from the page, as parameters with defaults (house rule 7): the window, the
 * store, the request and beacon functions, the sender lock, the clock and the timers. Tests pass fakes;
 * pages pass nothing. Storage getters can throw (sandboxed iframes), so they are read through `safe`.
 */
import type { Diag } from '../shared/diag.js';
import { systemClock } from '../shared/time.js';
import { createSoloLock, createWebLock, type LockManagerLike, type SenderLock } from './lock/sender-lock.js';
import type { EventTargetLike } from './page/lifecycle.js';
import { createIdbStore } from './queue/idb-store.js';
import { createMemoryStore } from './queue/memory-store.js';
import type { QueueStore } from './queue/types.js';
import { type BeaconFn, createFetchRequest, type FetchLike, type RequestFn } from './transport/request.js';
import { realTimers, type Timers } from './timers.js';

export interface WindowLike extends EventTargetLike {
  location?: { href: string; origin?: string };
  navigator?: { userAgent?: string; sendBeacon?: (url: string, data: Blob) => boolean; locks?: LockManagerLike };
  document?: { visibilityState?: string; readyState?: string; baseURI?: string; URL?: string };
  sessionStorage?: Storage;
  localStorage?: Storage;
  performance?: Pick<Performance, 'timeOrigin' | 'now' | 'getEntriesByType'>;
  console?: Console;
  fetch?: FetchLike;
  indexedDB?: IDBFactory;
  XMLHttpRequest?: { prototype: object };
}

export interface BrowserDeps {
  /** Defaults to the global window; without one (server-side rendering) init returns a no-op. */
  win?: WindowLike;
  store?: QueueStore;
  request?: RequestFn;
  /** null: no beacons. */
  beacon?: BeaconFn | null;
  lock?: SenderLock;
  /** Epoch milliseconds. */
  now?: () => number;
  timers?: Timers;
  diag?: Diag;
  random?: () => number;
}

export interface Env {
  win: WindowLike;
  store: QueueStore;
  request?: RequestFn;
  beacon?: BeaconFn;
  lock: SenderLock;
  now: () => number;
  timers: Timers;
  random: () => number;
}

export function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined; // a throwing getter (SecurityError) means the feature is unavailable
  }
}

export function defaultWindow(): WindowLike | undefined {
  return typeof window !== 'undefined' && typeof window.addEventListener === 'function' ? (window as unknown as WindowLike) : undefined;
}

function chooseLock(win: WindowLike, diag: Diag): SenderLock {
  const locks = safe(() => win.navigator!.locks);
  return locks && typeof locks.request === 'function' ? createWebLock(locks, diag) : createSoloLock();
}

export function resolveEnv(win: WindowLike, deps: BrowserDeps, diag: Diag): Env {
  const now = deps.now || (() => systemClock.nowMs());
  const idb = safe(() => win.indexedDB || (typeof indexedDB !== 'undefined' ? indexedDB : undefined));
  const nav = safe(() => win.navigator);
  // The page's fetch as it is now, before the fetch instrumentation wraps it: our sends make no spans.
  const fetchFn = safe(() => win.fetch);
  const sendBeacon = nav && nav.sendBeacon;
  return {
    win,
    store: deps.store || (idb ? createIdbStore() : createMemoryStore()),
    request: deps.request || (fetchFn ? createFetchRequest((u, i) => fetchFn.call(win, u, i)) : undefined),
    beacon: deps.beacon === null ? undefined : (deps.beacon || (sendBeacon ? (u, d) => sendBeacon.call(nav, u, d) : undefined)),
    lock: deps.lock || chooseLock(win, diag),
    now,
    timers: deps.timers || realTimers,
    random: deps.random || Math.random,
  };
}
