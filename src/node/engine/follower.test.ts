import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, readdirSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteAheadLog } from './wal.js';
import { WalFollower } from './follower.js';
import { createDiag } from '../../shared/diag.js';
import type { Batch, LogRecord } from '../../shared/model.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-follow-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const diag = createDiag(() => {});
const batch = (from: number, n: number): Batch => ({
  logs: Array.from({ length: n }, (_, i) => ({ record_id: `r${from + i}`, body: 'x'.repeat(50), resource: { 'service.name': 's' } }) as unknown as LogRecord),
  spans: [],
  metrics: [],
});

/** A writer with external readers and a follower wired to it directly (the worker's messages, without a worker). */
async function pair(segmentBytes = 2000, cacheBytes?: number) {
  const wal = await WriteAheadLog.open({ dir, maxBytes: 1 << 24, readers: [], external: true, segmentBytes, diag });
  const follower = await WalFollower.open({ dir, readers: ['a'], segments: wal.segmentList(), diag, cacheBytes, onRelease: (i) => wal.release(i) });
  const off = wal.onCommitted((c) => follower.advance(c.head, c.records, c.frames));
  return { wal, follower, close: async () => (off(), wal.close()) };
}

async function drain(follower: WalFollower, from: string[] = []): Promise<string[]> {
  const r = follower.reader('a');
  for (;;) {
    const entries = await r.read(25);
    if (entries.length === 0) return from;
    for (const e of entries) from.push(...e.batch.logs.map((l) => l.record_id));
    await r.commit(entries[entries.length - 1].end);
  }
}

describe('WalFollower', () => {
  it('reads what the writer made durable, in order, and gives passed segments back to its budget', async () => {
    const { wal, follower, close } = await pair();
    for (let i = 0; i < 20; i++) await wal.append(batch(i * 5, 5));
    expect(follower.reader('a').waiting()).toBe(100);
    const before = wal.sizeBytes();
    expect(await drain(follower)).toEqual(Array.from({ length: 100 }, (_, i) => `r${i}`));
    expect(follower.reader('a').waiting()).toBe(0);
    expect(wal.sizeBytes()).toBeLessThan(before);
    expect(readdirSync(dir).filter((f) => f.endsWith('.wal'))).toHaveLength(1);
    await close();
  });

  it('reads the frames handed over from memory, not from the disk', async () => {
    const { wal, follower, close } = await pair(1 << 20);
    for (let i = 0; i < 4; i++) await wal.append(batch(i * 5, 5));
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.wal'))) truncateSync(join(dir, f), 0);
    expect(await drain(follower)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
    await close();
  });

  it('reads the same from disk when the frames handed over no longer fit in memory', async () => {
    const { wal, follower, close } = await pair(2000, 600);
    for (let i = 0; i < 20; i++) await wal.append(batch(i * 5, 5));
    expect(await drain(follower)).toEqual(Array.from({ length: 100 }, (_, i) => `r${i}`));
    expect(follower.reader('a').waiting()).toBe(0);
    await close();
  });

  it('shares one resource object among the records it reads back', async () => {
    const { wal, follower, close } = await pair(1 << 20);
    await wal.append(batch(0, 3));
    await wal.append(batch(3, 3));
    const entries = await follower.reader('a').read(100);
    const logs = entries.flatMap((e) => e.batch.logs);
    expect(new Set(logs.map((l) => l.resource)).size).toBe(1);
    await close();
  });

  it('resumes from the committed cursor after a restart', async () => {
    let p = await pair();
    for (let i = 0; i < 10; i++) await p.wal.append(batch(i * 10, 10));
    const r = p.follower.reader('a');
    const first = await r.read(30);
    await r.commit(first[first.length - 1].end);
    const seen = first.flatMap((e) => e.batch.logs.map((l) => l.record_id));
    await p.close();
    p = await pair();
    expect(p.follower.reader('a').waiting()).toBe(100 - seen.length);
    expect(await drain(p.follower, seen)).toEqual(Array.from({ length: 100 }, (_, i) => `r${i}`));
    await p.close();
  });
});
