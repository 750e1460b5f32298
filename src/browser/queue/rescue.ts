/**
 * The page-close rescue. Records not confirmed in IndexedDB when the page hides (a burst logged just before
 * the tab closed, whose transaction may die with the page; or everything, when the queue is in memory) are
 * copied to localStorage, synchronously, beaconed ones included (a beacon is sent, not delivered). A later
 * page of the origin queues them again under the same keys (`replay`); the ingest's idempotent ids absorb a
 * record that arrives twice. At most ~1 MB: localStorage is the host page's too.
 *
 * localStorage is touched only on page hide and in `replay`, never during init: a page's first synchronous
 * localStorage access costs Chromium 7-24 ms (sync IPC to load the origin's storage area; bench/browser/page-load.mjs).
 * `replay` runs before the queue's first read (queue.ts `prepare`), so the sender never sends before it.
 */
import type { Diag } from '../../shared/diag.js';
import { newTraceId } from '../../shared/ids.js';
import type { LogRecord } from '../../shared/model.js';
import { safe } from '../env.js';
import type { Queue } from './queue.js';
import type { KeyedEntry } from './types.js';

/** localStorage key prefix of the page-close rescue (one key per page, so tabs do not overwrite each other). */
const RESCUE = 'isotel.rescue.';
const RESCUE_MAX_CHARS = 1 << 20;

export interface Rescue {
  /** Page hide: copies what IndexedDB may not hold to localStorage. */
  save(): void;
  /** Queues again (call it once) what earlier pages saved (with `atMostOnce`, deletes what they beaconed). */
  replay(): void;
  /** The queue wrote: what this page saved is in IndexedDB now, its copy is not needed. */
  written(): void;
}

export function createRescue(win: { localStorage?: Storage }, queue: Queue, atMostOnce: boolean, diag: Diag): Rescue {
  const key = RESCUE + newTraceId();
  let storage: Storage | undefined;
  const store = (): Storage | undefined => storage || (storage = safe(() => win.localStorage));
  let saved = false;
  return {
    save() {
      let left = queue.storageKind() === 'memory' ? queue.own() : queue.buffered();
      // At most once: the beacon's inflight marks may not reach IndexedDB before the page dies; what it
      // carried is noted here too, synchronously, and the next page deletes it.
      if (atMostOnce) left = left.concat(queue.own().filter((x) => x[1].sentAt));
      const text = left.length > 0 ? JSON.stringify(left) : '';
      if (text && (text.length > RESCUE_MAX_CHARS || !safe(() => (store()!.setItem(key, text), 1)))) diag.count('rescue_failed');
      else if (text) saved = true;
    },
    replay() {
      // A corrupt entry is removed before it is parsed, so it cannot fail every later page.
      safe(() => {
        const s = store()!;
        for (let i = s.length; i-- > 0; ) {
          const k = s.key(i)!;
          if (!k.startsWith(RESCUE)) continue;
          const text = s.getItem(k)!;
          s.removeItem(k);
          const saved = JSON.parse(text) as KeyedEntry[];
          // Deleted first where the last page's write did commit them, so each is queued once; at most once, what
          // that page beaconed (sentAt: inflight) is not queued again.
          void queue.remove(saved.map((x) => x[0]));
          for (const [k2, e] of saved) if (!(atMostOnce && e.sentAt)) queue.push(e.kind as 'log', e.record as LogRecord, k2);
        }
      });
    },
    written() {
      // A queue in memory has nothing durable, so its copy stays.
      if (saved && queue.buffered().length === 0 && queue.storageKind() !== 'memory') {
        saved = false;
        safe(() => store()!.removeItem(key));
      }
    },
  };
}
