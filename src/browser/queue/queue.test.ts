import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { createRecordIdGenerator } from '../../shared/ids.js';
import { logRecord, quietDiag } from '../testing/fakes.js';
import { createIdbStore } from './idb-store.js';
import { createMemoryStore } from './memory-store.js';
import { createQueue, type QueueOptions } from './queue.js';
import type { QueueStore, StoreChange } from './types.js';

let db = 0;
function setup(over: Partial<QueueOptions> = {}) {
  const drops: Record<string, number> = {};
  const store = over.store ?? createIdbStore(createStore(`isotel-queue-${++db}`, 'queue'));
  const writes: StoreChange[] = [];
  const counting: QueueStore = { ...store, kind: store.kind, write: (c) => (writes.push(c), store.write(c)) };
  const diag = quietDiag();
  const queue = createQueue({
    store: counting,
    maxQueueRecords: 5_000,
    maxQueueBytes: 5 * 1024 * 1024,
    diag,
    newKey: createRecordIdGenerator(),
    onDrop: (reason, n) => (drops[reason] = (drops[reason] ?? 0) + n),
    onChange: () => undefined,
    ...over,
  });
  return { queue, store, drops, writes, diag };
}

const all = () => true;

describe('write-ahead queue', () => {
  it('stores a burst of records in one transaction, after the calls return', async () => {
    const { queue, store, writes } = setup();
    for (let i = 0; i < 1_000; i++) queue.push('log', logRecord());
    expect(writes).toHaveLength(0); // push itself never touches IndexedDB
    expect(queue.size()).toBe(1_000);
    await queue.persist();
    expect(writes).toHaveLength(1);
    expect(writes[0].put).toHaveLength(1_000);
    expect((await store.read(10, all)).total).toBe(1_000);
  });

  it('persists on its own in a microtask', async () => {
    const { queue, store } = setup();
    queue.push('log', logRecord());
    await new Promise((r) => setTimeout(r, 30));
    expect((await store.read(10, all)).total).toBe(1);
  });

  it('keys logs by record_id (sent as log.record.uid) and records their size', async () => {
    const { queue, store } = setup();
    const r = logRecord();
    queue.push('log', r);
    await queue.persist();
    const [[key, entry]] = (await store.read(10, all)).entries;
    expect(key).toBe(r.record_id);
    expect(entry.bytes).toBe(JSON.stringify(r).length);
    expect(entry.state).toBe('pending');
  });

  it('drops the oldest records beyond the record bound and counts every drop', async () => {
    const { queue, store, drops } = setup({ maxQueueRecords: 100 });
    const records = Array.from({ length: 150 }, () => logRecord());
    for (const r of records.slice(0, 90)) queue.push('log', r);
    await queue.persist();
    for (const r of records.slice(90)) queue.push('log', r);
    await queue.persist();
    const left = (await store.read(1_000, all)).entries.map((e) => e[0]);
    expect(left.length).toBeLessThanOrEqual(100);
    // Oldest first: what is left is the newest, in order.
    expect(left).toEqual(records.slice(150 - left.length).map((r) => r.record_id));
    expect(drops.queue_full).toBe(150 - left.length);
    expect(await store.takeDropped()).toEqual({ queue_full: 150 - left.length });
  });

  it('drops the oldest records beyond the byte bound', async () => {
    const { queue, store, drops } = setup({ maxQueueBytes: 20_000 });
    for (let i = 0; i < 60; i++) queue.push('log', logRecord({ body: 'x'.repeat(900) }));
    await queue.persist();
    const r = await store.read(1_000, all);
    const bytes = r.entries.reduce((n, [, e]) => n + e.bytes, 0);
    expect(bytes).toBeLessThanOrEqual(20_000);
    expect(drops.queue_full).toBe(60 - r.total);
  });

  it('bounds the in-memory buffer too when the store is stalled', () => {
    const stalled: QueueStore = { ...createMemoryStore(), write: () => new Promise(() => undefined) };
    const { queue, drops } = setup({ store: stalled, maxQueueRecords: 10 });
    for (let i = 0; i < 25; i++) queue.push('log', logRecord());
    expect(queue.buffered()).toHaveLength(10);
    expect(drops.queue_full).toBe(15);
  });

  it('falls back to memory when IndexedDB fails, without losing the batch or throwing', async () => {
    const broken: QueueStore = {
      kind: 'indexeddb',
      write: () => Promise.reject(new DOMException('QuotaExceededError')),
      read: () => Promise.reject(new Error('closed')),
      trim: () => Promise.reject(new Error('closed')),
      takeDropped: () => Promise.reject(new Error('closed')),
    };
    const { queue, diag } = setup({ store: broken });
    const r = logRecord();
    queue.push('log', r);
    await queue.persist();
    expect(queue.storageKind()).toBe('memory');
    expect((await queue.read(10, all)).entries.map((e) => e[0])).toEqual([r.record_id]);
    expect(diag.messages).toContain('warn: B11'); // IndexedDB unavailable
    expect(diag.counters()['queue.storage_fallback']).toBe(1);
  });

  it('removes delivered records and keeps the size estimate', async () => {
    const { queue } = setup();
    for (let i = 0; i < 5; i++) queue.push('log', logRecord());
    const { entries } = await queue.read(3, all);
    await queue.remove(entries.map((e) => e[0]));
    expect(queue.size()).toBe(2);
    expect((await queue.read(10, all)).total).toBe(2);
  });

  it('never reads an entry of a kind this version does not know (queued again by the page-close rescue of a later SDK), and keeps it', async () => {
    for (const store of [createMemoryStore(), undefined]) {
      const { queue } = setup(store ? { store } : {});
      const record = logRecord();
      queue.push('log', record);
      (queue.push as (kind: string, record: unknown, key: string) => void)('profile', { frames: [1] }, '00000000000000000000000000');
      const r = await queue.read(10, all);
      expect(r.entries.map((e) => e[0])).toEqual([record.record_id]);
      expect(r.total).toBe(2);
      await queue.remove([record.record_id]);
      expect((await queue.read(10, all)).total).toBe(1);
    }
  });
});
