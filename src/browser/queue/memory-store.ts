/**
 * The in-memory store: used when IndexedDB is unavailable (private mode, blocked, failing) and in tests.
 * Records live as long as the page.
 */
import { addCounts, type DropCounts, type KeyedEntry, type QueueEntry, type QueueStore } from './types.js';

export function createMemoryStore(): QueueStore {
  const map = new Map<string, QueueEntry>();
  let dropped: DropCounts = {};
  // Keys are unique (a Map's): never equal, so the comparator needs no 0.
  const sorted = (): KeyedEntry[] => Array.from(map).sort((a, b) => (a[0] < b[0] ? -1 : 1));

  return {
    kind: 'memory',
    async write(change) {
      for (const [k, e] of change.put || []) map.set(k, e);
      for (const [k, e] of change.mark || []) if (map.has(k)) map.set(k, e);
      for (const k of change.del || []) map.delete(k);
      addCounts(dropped, change.dropped);
    },
    async read(limit, accept) {
      const entries: KeyedEntry[] = [];
      for (const kv of sorted()) {
        if (entries.length >= limit) break;
        if (accept(kv[1])) entries.push(kv);
      }
      return { entries, total: map.size };
    },
    async trim(maxCount, maxBytes) {
      // Newest first: keep while within the bounds, remove the rest (the oldest).
      const all = sorted();
      let count = 0;
      let bytes = 0;
      let removed = 0;
      for (let i = all.length - 1; i >= 0; i--) {
        const [k, e] = all[i];
        if (count + 1 > maxCount || bytes + e.bytes > maxBytes) {
          map.delete(k);
          removed++;
        } else {
          count++;
          bytes += e.bytes;
        }
      }
      if (removed > 0) addCounts(dropped, { queue_full: removed });
      return { count, bytes, removed };
    },
    async takeDropped() {
      const out = dropped;
      dropped = {};
      return out;
    },
  };
}
