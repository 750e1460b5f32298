import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteAheadLog } from './wal.js';
import { startDispatcher } from './dispatcher.js';
import { createDiag } from '../../shared/diag.js';
import { SUCCESS, retryable, type WriteResult } from '../../shared/result.js';
import type { Batch, LogRecord } from '../../shared/model.js';
import type { Backend } from '../backends/types.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-dispatch-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const diag = createDiag(() => {});
const batch = (from: number, n: number): Batch => ({
  logs: Array.from({ length: n }, (_, i) => ({ record_id: `r${from + i}` }) as unknown as LogRecord),
  spans: [],
  metrics: [],
});
const ids = (b: Batch) => b.logs.map((l) => l.record_id);

/** A backend whose writes finish when the test says so, recording what it was given. */
function manualBackend(answer: (call: number, b: Batch) => WriteResult | Promise<WriteResult>) {
  const calls: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const backend: Backend = {
    name: 'manual',
    async write(b) {
      calls.push(ids(b));
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await answer(calls.length, b);
      } finally {
        inFlight--;
      }
    },
    async flush() {},
    async close() {},
  };
  return { backend, calls, maxInFlight: () => maxInFlight };
}

const pause = (ms: number) => new Promise<WriteResult>((r) => setTimeout(() => r(SUCCESS), ms));

describe('dispatcher', () => {
  it('keeps two batches in flight per backend and advances the cursor in order', async () => {
    const wal = await WriteAheadLog.open({ dir, maxBytes: 1 << 24, readers: ['t'], diag });
    // The first write is the slowest (it ends when the test says so): the second must not move the cursor past it.
    let release!: () => void;
    const first = new Promise<WriteResult>((r) => (release = () => r(SUCCESS)));
    const m = manualBackend((call) => (call === 1 ? first : pause(5)));
    const d = startDispatcher({ wal, diag, batchSize: 10, targets: [{ name: 't', backend: m.backend }] });
    for (let i = 0; i < 6; i++) await wal.append(batch(i * 10, 10));
    for (let waited = 0; m.calls.length < 2 && waited < 5000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20)); // write 2 has finished by now
    expect(m.maxInFlight()).toBe(2);
    expect(wal.reader('t').waiting()).toBe(60); // write 2 finished, write 1 not: nothing committed
    release();
    expect(await d.drain(5000)).toBe(true);
    expect(m.calls.flat()).toEqual(Array.from({ length: 60 }, (_, i) => `r${i}`));
    expect(d.health()[0]).toMatchObject({ delivered: 60, waiting_on_disk: 0, writes_total: 6 });
    await d.close();
    await wal.close();
  });

  it('keeps one batch in flight for a backend whose maxInFlight is 1 (an idempotent Kafka producer)', async () => {
    const wal = await WriteAheadLog.open({ dir, maxBytes: 1 << 24, readers: ['t'], diag });
    const m = manualBackend(() => pause(3));
    const d = startDispatcher({ wal, diag, batchSize: 10, concurrency: 3, targets: [{ name: 't', backend: m.backend, maxInFlight: 1 }] });
    for (let i = 0; i < 6; i++) await wal.append(batch(i * 10, 10));
    expect(await d.drain(5000)).toBe(true);
    expect(m.maxInFlight()).toBe(1);
    expect(m.calls.flat()).toEqual(Array.from({ length: 60 }, (_, i) => `r${i}`));
    await d.close();
    await wal.close();
  });

  it('after a retryable failure sends that batch again from the cursor, but not the batches behind it the sink already took', async () => {
    const wal = await WriteAheadLog.open({ dir, maxBytes: 1 << 24, readers: ['t'], diag });
    const m = manualBackend(async (call) => (call === 1 ? pause(5).then(() => retryable('busy', 1)) : pause(2)));
    const d = startDispatcher({ wal, diag, batchSize: 10, baseDelayMs: 1, maxDelayMs: 5, targets: [{ name: 't', backend: m.backend }] });
    await wal.append(batch(0, 10));
    await wal.append(batch(10, 10));
    expect(await d.drain(5000)).toBe(true);
    const sent = m.calls.flat();
    expect(sent.filter((id) => id === 'r0')).toHaveLength(2); // the failed batch, again
    expect(sent.filter((id) => id === 'r10')).toHaveLength(1); // taken behind it: not sent twice
    expect(d.health()[0]).toMatchObject({ delivered: 20, waiting_on_disk: 0, state: 'healthy' });
    await d.close();
    await wal.close();
  });

  it('delivers appends that land while a loop is reading (no missed wake-up)', async () => {
    const wal = await WriteAheadLog.open({ dir, maxBytes: 1 << 24, readers: ['t'], diag });
    const m = manualBackend(() => SUCCESS);
    const d = startDispatcher({ wal, diag, targets: [{ name: 't', backend: m.backend }] });
    for (let i = 0; i < 200; i++) {
      await wal.append(batch(i, 1));
      if (i % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(await d.drain(5000)).toBe(true);
    expect(new Set(m.calls.flat()).size).toBe(200);
    await d.close();
    await wal.close();
  });
});
