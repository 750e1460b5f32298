/**
 * The IndexedDB store: idb-keyval's `createStore('isotel', 'queue')`, opened lazily (and reopened by idb-keyval
 * when the browser closes it). Every tab of the origin shares it. Records are kept in segments: one IndexedDB
 * value per up to 64 records of a write (a burst's records together), keyed `<first record's key>.<count>.<random>`,
 * so key order is still "oldest first" and totals come from the keys. In Chromium one value of 100 records is
 * 1.2-2.6 ms a transaction and 100 values 12-19 ms (100 deletes 8.7-13 ms, one 0.5-0.7 ms): one value per record
 * drained a burst at ~1,500 records/s (`node bench/browser/drain.mjs ... idb`, the README's browser section). A
 * segment is rewritten under a new key as its records are delivered, and deleted when empty. A value of the earlier
 * layout (one record under its own key) reads as a segment of one. Drop counters live under a key that sorts after
 * every segment, so record ranges exclude it.
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import { addCounts, type DropCounts, type KeyedEntry, type QueueEntry, type QueueStore } from './types.js';
import { asDropCounts, isQueueEntry } from './validate.js';

const META = '~dropped';
/** Where-index entries kept at most (records this tab wrote or read); past it, forgotten: a scan finds them again. */
const MAX_INDEX = 50_000;
/**
 * Records per segment at most: a delivery that empties part of one rewrites the rest (a segment of thousands, a
 * burst's one write, was rewritten on every 60 KB send: 9 ms a send).
 */
const SEGMENT = 64;

/** Settles when the transaction commits (or fails: its error). idb-keyval's helper, which the build ships anyway. */
const done = (tx: IDBTransaction): Promise<void> => promisifyRequest(tx);

function addMeta(store: IDBObjectStore, dropped: DropCounts | undefined): void {
  if (!dropped || Object.keys(dropped).length === 0) return;
  const req = store.get(META);
  req.onsuccess = () => store.put(addCounts(asDropCounts(req.result), dropped), META);
}

/** A stored value as entries; undefined when it is not one (corrupt). Unreadable entries of a segment are counted. */
function entriesOf(key: IDBValidKey, v: unknown, bad: { n: number }): KeyedEntry[] | undefined {
  if (isQueueEntry(v)) return [[String(key), v]];
  if (!Array.isArray(v)) return undefined;
  const out = v.filter((kv: unknown) => Array.isArray(kv) && typeof kv[0] === 'string' && isQueueEntry(kv[1])) as KeyedEntry[];
  bad.n += v.length - out.length;
  return out;
}

// Over 60 lines on purpose: split into 60-line functions, the lite build grew 204 B gzip, over its 12 KB budget.
export function createIdbStore(use: UseStore = createStore('isotel', 'queue')): QueueStore {
  // Segment keys are record keys (Crockford base32, 0-9 A-Z) and '.' and base36: every one sorts before '~'.
  const records = (): IDBKeyRange => IDBKeyRange.upperBound(META, true);
  // A sync throw (indexedDB missing, SecurityError) becomes a rejection like every other failure: run in a reaction.
  const run = <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => Promise<T>): Promise<T> => Promise.resolve().then(() => use(mode, fn));
  /** Record key → key of the segment holding it, as this tab last saw it (another tab may have rewritten it since). */
  const where = new Map<string, IDBValidKey>();

  /** Stores records as a new segment, keyed `<first record's key>.<count>.<random>`: totals come from the keys. */
  const putSegment = (s: IDBObjectStore, seg: KeyedEntry[]): void => {
    const g = `${seg[0][0]}.${seg.length}.${Math.random().toString(36).slice(2, 8)}`;
    s.put(seg, g);
    for (const kv of seg) where.set(kv[0], g);
  };

  /**
   * Visits every segment oldest first (`visit` returns true to stop), then `end` with the corrupt values and
   * entries found. In a readwrite transaction they are removed (in place: the key's count stays as it was, an
   * overestimate until the segment is next rewritten).
   */
  const scan = (s: IDBObjectStore, visit: (key: IDBValidKey, entries: KeyedEntry[]) => boolean | void, end: (corrupt: number) => void): void => {
    const bad = { n: 0 };
    const rw = s.transaction.mode === 'readwrite';
    const req = s.openCursor(records());
    req.onsuccess = () => {
      const c = req.result;
      if (!c) return end(bad.n);
      const before = bad.n;
      const entries = entriesOf(c.key, c.value, bad);
      if (!entries || entries.length === 0) {
        if (!entries) bad.n++;
        if (rw) c.delete();
        return c.continue();
      }
      if (rw && bad.n > before) c.update(entries);
      for (const kv of entries) where.set(kv[0], c.key);
      if (visit(c.key, entries)) end(bad.n);
      else c.continue();
    };
  };

  /** Applies marks and deletes to the segments holding the records (found by a scan where the index has none). */
  const edit = (s: IDBObjectStore, edits: Map<string, QueueEntry | 0>): void => {
    const segs = new Set<IDBValidKey>();
    for (const k of edits.keys()) if (where.has(k)) segs.add(where.get(k)!);
    for (const g of segs) {
      const req = s.get(g);
      req.onsuccess = () => {
        const entries = entriesOf(g, req.result, { n: 0 });
        if (!entries) {
          // Gone: another tab rewrote it (a trim at the bound) under a new key. Its records are looked for again.
          const lost = new Map<string, QueueEntry | 0>();
          for (const [k, e] of edits) if (where.get(k) === g) where.delete(k), lost.set(k, e);
          return scan(s, () => undefined, () => edit(s, lost));
        }
        const out: KeyedEntry[] = [];
        for (const kv of entries) {
          const e = edits.get(kv[0]);
          if (e === 0) where.delete(kv[0]);
          else out.push(e ? [kv[0], e] : kv);
        }
        // The same records (beacon marks): stored in place; fewer: under a key with the new count.
        if (out.length === entries.length) return void s.put(out, g);
        s.delete(g);
        if (out.length > 0) putSegment(s, out);
      };
    }
  };

  const store: QueueStore = {
    kind: 'indexeddb',
    write: (change) =>
      run('readwrite', (s) => {
        if (where.size > MAX_INDEX) where.clear();
        const fresh = (change.put || []).slice();
        const edits = new Map<string, QueueEntry | 0>();
        for (const kv of change.mark || []) edits.set(kv[0], kv[1]);
        for (const k of change.del || []) edits.set(k, 0);
        // A record this tab never saw (another page's, replayed), or forgot: found by a scan first.
        if (Array.from(edits.keys()).some((k) => !where.has(k)))
          scan(s, () => undefined, (corrupt) => (edit(s, edits), addMeta(s, corrupt > 0 ? { corrupt } : undefined)));
        else edit(s, edits);
        // Keys are creation times: in key order, a segment's records are oldest first (a replayed page's included).
        fresh.sort((x, y) => (x[0] < y[0] ? -1 : 1));
        for (let i = 0; i < fresh.length; i += SEGMENT) putSegment(s, fresh.slice(i, i + SEGMENT));
        addMeta(s, change.dropped);
        return done(s.transaction);
      }),
    read: (limit, accept) =>
      run('readonly', (s) =>
        new Promise((resolve) => {
          const entries: KeyedEntry[] = [];
          let total = 0;
          // Every segment's key carries its count (the earlier layout's keys: one record).
          const keys = s.getAllKeys(records());
          keys.onsuccess = () => keys.result.forEach((k) => (total += +String(k).split('.')[1] || 1));
          scan(
            s,
            (_, segment) => {
              for (const kv of segment) if (entries.length < limit && accept(kv[1])) entries.push(kv);
              return entries.length >= limit;
            },
            (corrupt) => {
              // Unreadable values would sit in the queue forever: a trim within no bounds removes them, counted.
              // Best effort: when it fails the next read finds them again.
              if (corrupt > 0) store.trim(Infinity, Infinity).catch(() => undefined);
              resolve({ entries, total });
            },
          );
        }),
      ),
    trim: (maxCount, maxBytes) =>
      run('readwrite', (s) => {
        // One pass for the sizes, then the oldest go: whole segments, and the oldest entries of the one at the bound.
        const segs: Array<[IDBValidKey, KeyedEntry[]]> = [];
        let count = 0;
        let bytes = 0;
        let removed = 0;
        scan(
          s,
          (g, entries) => {
            segs.push([g, entries]);
            count += entries.length;
            for (const kv of entries) bytes += kv[1].bytes;
          },
          (corrupt) => {
            for (const [g, entries] of segs) {
              let cut = 0;
              while (cut < entries.length && (count > maxCount || bytes > maxBytes)) {
                bytes -= entries[cut][1].bytes;
                count--;
                where.delete(entries[cut++][0]);
              }
              if (cut === 0) break;
              removed += cut;
              s.delete(g);
              if (cut < entries.length) putSegment(s, entries.slice(cut));
            }
            const counts: DropCounts = {};
            if (removed > 0) counts.queue_full = removed;
            if (corrupt > 0) counts.corrupt = corrupt;
            addMeta(s, counts);
          },
        );
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
