/**
 * The IndexedDB store: idb-keyval's `createStore('isotel', 'queue')`, one key per record, opened lazily
 * (and reopened by idb-keyval when the browser closes it). Every tab of the origin shares it. Drop
 * counters live under a key that sorts after every record id, so record ranges exclude it.
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import { addCounts, type DropCounts, type KeyedEntry, type QueueStore } from './types.js';
import { asDropCounts, isQueueEntry } from './validate.js';

const META = '~dropped';

/** Settles when the transaction commits (or fails: its error). idb-keyval's helper, which the build ships anyway. */
const done = (tx: IDBTransaction): Promise<void> => promisifyRequest(tx);

function addMeta(store: IDBObjectStore, dropped: DropCounts | undefined): void {
  if (!dropped || Object.keys(dropped).length === 0) return;
  const req = store.get(META);
  req.onsuccess = () => store.put(addCounts(asDropCounts(req.result), dropped), META);
}

// Over 60 lines on purpose: split into 60-line functions, the lite build grew 204 B gzip, over its 12 KB budget.
export function createIdbStore(use: UseStore = createStore('isotel', 'queue')): QueueStore {
  // Record keys are Crockford base32 (0-9, A-Z): every one sorts before '~'.
  const records = (): IDBKeyRange => IDBKeyRange.upperBound(META, true);
  // A sync throw (indexedDB missing, SecurityError) becomes a rejection like every other failure: run in a reaction.
  const run = <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => Promise<T>): Promise<T> => Promise.resolve().then(() => use(mode, fn));

  const store: QueueStore = {
    kind: 'indexeddb',
    write: (change) =>
      run('readwrite', (s) => {
        for (const [k, e] of change.put || []) s.put(e, k);
        for (const k of change.del || []) s.delete(k);
        addMeta(s, change.dropped);
        return done(s.transaction);
      }),
    read: (limit, accept) =>
      run('readonly', (s) =>
        new Promise((resolve, reject) => {
          const entries: KeyedEntry[] = [];
          const bad: string[] = [];
          let total = 0;
          const count = s.count(records());
          count.onsuccess = () => (total = count.result);
          const req = s.openCursor(records());
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const c = req.result;
            if (!c || entries.length >= limit) {
              // Unreadable entries would sit in the queue forever: remove them, counted.
              // Best effort: when this write fails the next read finds them again.
              if (bad.length > 0) store.write({ del: bad, dropped: { corrupt: bad.length } }).catch(() => undefined);
              resolve({ entries, total });
              return;
            }
            const v: unknown = c.value;
            if (!isQueueEntry(v)) bad.push(String(c.key));
            else if (accept(v)) entries.push([String(c.key), v]);
            c.continue();
          };
        }),
      ),
    trim: (maxCount, maxBytes) =>
      run('readwrite', (s) => {
        // One forward pass for the sizes, then one range delete of the oldest: no per-record deletes.
        const keys: IDBValidKey[] = [];
        const sizes: number[] = [];
        let count = 0;
        let bytes = 0;
        let removed = 0;
        let corrupt = 0;
        const req = s.openCursor(records());
        req.onsuccess = () => {
          const c = req.result;
          if (c) {
            const v: unknown = c.value;
            if (isQueueEntry(v)) {
              keys.push(c.key);
              sizes.push(v.bytes);
              count++;
              bytes += v.bytes;
            } else {
              c.delete();
              corrupt++;
            }
            c.continue();
            return;
          }
          while (count > maxCount || bytes > maxBytes) {
            bytes -= sizes[removed++];
            count--;
          }
          if (removed > 0) s.delete(IDBKeyRange.bound(keys[0], keys[removed - 1]));
          const counts: DropCounts = {};
          if (removed > 0) counts.queue_full = removed;
          if (corrupt > 0) counts.corrupt = corrupt;
          addMeta(s, counts);
        };
        return done(s.transaction).then(() => ({ count, bytes, removed }));
      }),
    takeDropped: () =>
      run('readwrite', (s) => {
        let out: DropCounts = {};
        const req = s.get(META);
        req.onsuccess = () => {
          out = asDropCounts(req.result);
          if (req.result !== undefined) s.delete(META);
        };
        return done(s.transaction).then(() => out);
      }),
  };
  return store;
}
