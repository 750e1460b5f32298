/** The sender's unit-test rig: a queue on the given store, a fake server, beacon, clock and lock (sender tests). */
import { createRecordIdGenerator } from '../../shared/ids.js';
import type { SenderLock } from '../lock/sender-lock.js';
import { createSoloLock } from '../lock/sender-lock.js';
import { createMemoryStore } from '../queue/memory-store.js';
import { createQueue } from '../queue/queue.js';
import type { DropCounts, QueueStore } from '../queue/types.js';
import { createCounters } from '../status/counters.js';
import { createKeepaliveBudget } from '../transport/budget.js';
import { createSender } from '../transport/sender.js';
import { fakeServer, fakeTime, logRecord, quietDiag, recordingBeacon, type Reply } from './fakes.js';

export function setup(o: { replies?: Array<Reply | Error | Promise<Reply>>; lock?: SenderLock; store?: QueueStore; loadTime?: number; time?: ReturnType<typeof fakeTime>; atMostOnce?: boolean } = {}) {
  const time = o.time ?? fakeTime();
  const store = o.store ?? createMemoryStore();
  const diag = quietDiag();
  const counters = createCounters();
  const reports: DropCounts[] = [];
  const queue = createQueue({
    store,
    maxQueueRecords: 5_000,
    maxQueueBytes: 5e6,
    diag,
    newKey: createRecordIdGenerator(),
    onDrop: counters.drop,
    onChange: () => undefined,
  });
  const server = fakeServer();
  server.replies.push(...(o.replies ?? []));
  const beacon = recordingBeacon();
  const sender = createSender({
    queue,
    request: server.request,
    beacon,
    lock: o.lock ?? createSoloLock(),
    budget: createKeepaliveBudget(),
    counters,
    notify: () => undefined,
    diag,
    endpoint: 'https://ingest.test',
    ingestKey: 'secret-key',
    now: time.now,
    timers: time.timers,
    random: () => 0,
    loadTime: o.loadTime ?? time.now(),
    unloadAtMostOnce: o.atMostOnce,
    reportDrops: (c) => reports.push(c),
  });
  const log = (n: number) => {
    const records = Array.from({ length: n }, () => logRecord());
    for (const r of records) queue.push('log', r);
    return records.map((r) => r.record_id);
  };
  return { time, store, queue, server, beacon, sender, counters, reports, log, diag };
}
