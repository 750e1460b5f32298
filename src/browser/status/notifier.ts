/**
 * Status listeners (the `onStatus` option and `subscribe`), called at most once per `throttleMs` with a
 * fresh snapshot, never on the caller's stack: a page can show a live counter without slowing logging.
 */
import type { Diag } from '../../shared/diag.js';
import type { Timers } from '../timers.js';
import type { StatusListener, TelemetryHealth } from '../types.js';

export interface Notifier {
  changed(): void;
  subscribe(fn: StatusListener): () => void;
  stop(): void;
}

export function createNotifier(snapshot: () => TelemetryHealth, timers: Timers, diag: Diag, throttleMs = 250): Notifier {
  const listeners = new Set<StatusListener>();
  let timer: unknown;
  const fire = (): void => {
    timer = undefined;
    if (listeners.size === 0) return;
    const s = snapshot();
    for (const fn of listeners) {
      try {
        fn(s);
      } catch (err) {
        diag.warn('B19' /* a status listener threw */, err);
      }
    }
  };
  return {
    changed() {
      if (timer === undefined && listeners.size > 0) timer = timers.setTimeout(fire, throttleMs);
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
    stop() {
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      listeners.clear();
    },
  };
}
