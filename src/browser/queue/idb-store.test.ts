import 'fake-indexeddb/auto';
import { createStore, promisifyRequest as promisify } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { logRecord } from '../testing/fakes.js';
import { createIdbStore } from './idb-store.js';
import type { KeyedEntry } from './types.js';

let db = 0;
const fresh = () => createStore(`isotel-test-${++db}`, 'queue');
const entry = (bytes = 100): KeyedEntry => {
  const record = logRecord();
  return [record.record_id, { kind: 'log', record, bytes, state: 'pending' }];
};

describe('IndexedDB store', () => {
  it('reads entries back oldest key first, filtered, with the total', async () => {
    const store = createIdbStore(fresh());
    const [a, b, c] = [entry(), entry(), entry()];
    await store.write({ put: [c, a, b] });
    c[1].state = 'inflight';
    await store.write({ mark: [c] });
    const r = await store.read(10, (e) => e.state === 'pending');
    expect(r.entries.map((e) => e[0])).toEqual([a[0], b[0]]);
    expect(r.total).toBe(3);
    expect((await store.read(1, () => true)).entries.map((e) => e[0])).toEqual([a[0]]);
  });

  it('is shared by every store opened on the same database (tabs of an origin)', async () => {
    const use = fresh();
    const tabA = createIdbStore(use);
    const tabB = createIdbStore(use);
    const e = entry();
    await tabA.write({ put: [e] });
    expect((await tabB.read(10, () => true)).entries[0][1].record).toEqual(e[1].record);
    await tabB.write({ del: [e[0]] });
    expect((await tabA.read(10, () => true)).total).toBe(0);
  });

  it('trims the oldest entries beyond the bounds and counts them as queue_full', async () => {
    const store = createIdbStore(fresh());
    const entries = Array.from({ length: 10 }, () => entry(100));
    await store.write({ put: entries });
    expect(await store.trim(6, 1_000_000)).toEqual({ count: 6, bytes: 600, removed: 4 });
    expect((await store.read(20, () => true)).entries.map((e) => e[0])).toEqual(entries.slice(4).map((e) => e[0]));
    expect(await store.trim(100, 250)).toEqual({ count: 2, bytes: 200, removed: 4 });
    expect(await store.takeDropped()).toEqual({ queue_full: 8 });
    expect(await store.takeDropped()).toEqual({});
  });

  it('keeps drop counters across writes, atomically with them', async () => {
    const store = createIdbStore(fresh());
    await store.write({ dropped: { too_large: 1 } });
    await store.write({ put: [entry()], dropped: { too_large: 2, queue_full: 1 } });
    expect(await store.takeDropped()).toEqual({ too_large: 3, queue_full: 1 });
    // The counters never show up as a record.
    expect((await store.read(10, () => true)).total).toBe(1);
  });

  it('removes entries it cannot read, counted as corrupt', async () => {
    const use = fresh();
    const store = createIdbStore(use);
    const good = entry();
    await store.write({ put: [good] });
    await use('readwrite', (s) => {
      s.put({ kind: 'log', record: 'not a record' }, '00000000000000000000000000');
      return new Promise<void>((r) => (s.transaction.oncomplete = () => r()));
    });
    const r = await store.read(10, () => true);
    expect(r.entries.map((e) => e[0])).toEqual([good[0]]);
    await new Promise((r) => setTimeout(r, 20));
    expect((await store.read(10, () => true)).total).toBe(1);
    expect(await store.takeDropped()).toEqual({ corrupt: 1 });
  });

  it("keeps an entry of a kind this version does not know (a later SDK version's, from another tab): not deleted as corrupt, trimmed by the bounds", async () => {
    const use = fresh();
    const store = createIdbStore(use);
    const good = entry();
    const later = { kind: 'profile', record: { frames: [1, 2] }, bytes: 100, state: 'pending' };
    await use('readwrite', (s) => {
      s.put(later, '00000000000000000000000000');
      return new Promise<void>((r) => (s.transaction.oncomplete = () => r()));
    });
    await store.write({ put: [good] });
    const r = await store.read(10, (e) => e.kind === 'log'); // queue.ts never accepts a kind it does not know
    expect(r.entries.map((e) => e[0])).toEqual([good[0]]);
    expect(r.total).toBe(2);
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.takeDropped()).toEqual({});
    expect(await use('readonly', (s) => promisify(s.get('00000000000000000000000000')))).toEqual(later);
    expect(await store.trim(10, 10_000)).toEqual({ count: 2, bytes: 200, removed: 0 });
    expect(await store.takeDropped()).toEqual({});
    expect(await store.trim(1, 10_000)).toEqual({ count: 1, bytes: 100, removed: 1 }); // the oldest: the later kind's
    expect(await store.takeDropped()).toEqual({ queue_full: 1 });
  });

  it("keeps a write's records in segments of at most 64 (one IndexedDB value each), with exact totals from the keys", async () => {
    const use = fresh();
    const store = createIdbStore(use);
    const entries = Array.from({ length: 150 }, () => entry());
    await store.write({ put: entries });
    expect(await use('readonly', (s) => promisify(s.count()))).toBe(3); // 64 + 64 + 22
    const r = await store.read(10, () => true);
    expect(r.entries.map((e) => e[0])).toEqual(entries.slice(0, 10).map((e) => e[0]));
    expect(r.total).toBe(150);
  });

  it('delivers part of a segment: the rest stays, once, in order; an emptied segment goes', async () => {
    const use = fresh();
    const store = createIdbStore(use);
    const entries = Array.from({ length: 64 }, () => entry());
    await store.write({ put: entries });
    await store.write({ del: entries.slice(0, 40).map((e) => e[0]) });
    let r = await store.read(100, () => true);
    expect(r.entries.map((e) => e[0])).toEqual(entries.slice(40).map((e) => e[0]));
    expect(r.total).toBe(24);
    await store.write({ del: entries.slice(40).map((e) => e[0]) });
    r = await store.read(100, () => true);
    expect(r).toEqual({ entries: [], total: 0 });
    expect(await use('readonly', (s) => promisify(s.count()))).toBe(0);
  });

  it('marks stored records in place (a beacon): no second copy, and a record delivered meanwhile is not brought back', async () => {
    const store = createIdbStore(fresh());
    const [a, b] = [entry(), entry()];
    await store.write({ put: [a, b] });
    a[1].state = 'inflight';
    await store.write({ mark: [a] });
    await store.write({ del: [b[0]] });
    b[1].state = 'inflight';
    await store.write({ mark: [b] });
    const r = await store.read(10, () => true);
    expect(r.entries.map((e) => [e[0], e[1].state])).toEqual([[a[0], 'inflight']]);
    expect(r.total).toBe(1);
  });

  it("deletes records another tab wrote and this one never read (a replayed page's), and reads the earlier layout (a value per record)", async () => {
    const use = fresh();
    const [old, other] = [entry(), entry()];
    await use('readwrite', (s) => {
      s.put(old[1], old[0]); // the layout before segments
      return new Promise<void>((r) => (s.transaction.oncomplete = () => r()));
    });
    await createIdbStore(use).write({ put: [other] });
    const tab = createIdbStore(use);
    expect((await tab.read(10, () => true)).total).toBe(2);
    const another = createIdbStore(use);
    await another.write({ del: [other[0]] });
    expect((await tab.read(10, () => true)).entries.map((e) => e[0])).toEqual([old[0]]);
    await tab.write({ del: [old[0]] });
    expect((await another.read(10, () => true)).total).toBe(0);
  });

  it("finds a record again when another tab's trim moved its segment under a new key", async () => {
    const use = fresh();
    const [tabA, tabB] = [createIdbStore(use), createIdbStore(use)];
    const entries = Array.from({ length: 10 }, () => entry(100));
    await tabA.write({ put: entries });
    expect((await tabB.read(10, () => true)).total).toBe(10); // tabB's index: the segment's first key
    await tabA.trim(6, 1_000_000); // the segment rewritten with the newest 6, under a new key
    await tabB.write({ del: entries.slice(4, 8).map((e) => e[0]) });
    const r = await tabA.read(10, () => true);
    expect(r.entries.map((e) => e[0])).toEqual(entries.slice(8).map((e) => e[0]));
    expect(r.total).toBe(2);
  });

  it('rejects (so the queue can fall back) when IndexedDB throws', async () => {
    const store = createIdbStore(() => {
      throw new DOMException('The user denied permission to access the database.', 'SecurityError');
    });
    await expect(store.write({ put: [entry()] })).rejects.toThrow(/denied/);
  });
});
