import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { promises as fsp } from 'node:fs';
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDiag, type Diag } from '../../shared/diag.js';
import { createSpool, type Spool } from './spool.js';
import { SpoolBusyError } from './spool-lock.js';
import { recordIds } from './batch-utils.js';
import { listSegments, segmentFile } from './spool-files.js';
import { logBatch, makeSpan } from './testing.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let dir: string;
let diag: Diag;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'isotel-spool-'));
  diag = createDiag(() => {});
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

/** Peeks and acks until empty; returns every id in the order read. */
async function drainAll(spool: Spool, max = 1000): Promise<string[]> {
  const ids: string[] = [];
  for (let item = await spool.peek(max); item; item = await spool.peek(max)) {
    ids.push(...recordIds(item.batch));
    await spool.ack(item.token);
  }
  return ids;
}

const range = (from: number, to: number, prefix = 'r') => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

describe('spool', () => {
  it('gives batches back in order, without consuming them until ack', async () => {
    const spool = await createSpool(dir, { diag });
    await spool.append(logBatch(3, 0));
    await spool.append({ logs: logBatch(2, 3).logs, spans: [makeSpan(1)] });
    expect(spool.count()).toBe(6);
    const first = await spool.peek(4);
    expect(first && recordIds(first.batch)).toEqual(['r0', 'r1', 'r2', 'r3']);
    const again = await spool.peek(4);
    expect(again && recordIds(again.batch)).toEqual(['r0', 'r1', 'r2', 'r3']);
    await spool.ack((first as NonNullable<typeof first>).token);
    expect(spool.count()).toBe(2);
    const rest = await spool.peek(100);
    expect(rest?.batch.logs.map((r) => r.record_id)).toEqual(['r4']);
    expect(rest?.batch.spans).toEqual([makeSpan(1)]);
    await spool.ack((rest as NonNullable<typeof rest>).token);
    expect(await spool.peek(100)).toBeNull();
    expect(spool.count()).toBe(0);
    await spool.close();
  });

  it('peek(after) reads ahead of the acknowledged position', async () => {
    const spool = await createSpool(dir, { diag });
    await spool.append(logBatch(10));
    const a = await spool.peek(4);
    const b = await spool.peek(4, a?.token);
    expect(b && recordIds(b.batch)).toEqual(['r4', 'r5', 'r6', 'r7']);
    await spool.close();
  });

  it('resumes after the last acknowledged batch when reopened', async () => {
    let spool = await createSpool(dir, { diag });
    for (let i = 0; i < 5; i++) await spool.append(logBatch(10, i * 10));
    const first = await spool.peek(25);
    await spool.ack((first as NonNullable<typeof first>).token);
    await spool.peek(10); // peeked, never acked: it comes back after the restart
    await spool.close();

    spool = await createSpool(dir, { diag });
    expect(spool.count()).toBe(25);
    await spool.append(logBatch(5, 50));
    expect(await drainAll(spool, 7)).toEqual(range(25, 55));
    await spool.close();
  });

  it('skips and counts a torn last line left by a crash, and appends after it safely', async () => {
    let spool = await createSpool(dir, { diag });
    await spool.append(logBatch(3));
    await spool.close();
    const [seq] = await listSegments(dir);
    const line = 'l' + JSON.stringify(logBatch(1, 99).logs[0]);
    await fsp.appendFile(segmentFile(dir, seq), line.slice(0, line.length - 7)); // no newline: torn

    spool = await createSpool(dir, { diag });
    expect(spool.count()).toBe(3);
    expect(spool.stats().tornLines).toBe(1);
    expect(diag.counters()['spool.torn_lines']).toBe(1);
    await spool.append(logBatch(2, 3));
    expect(await drainAll(spool)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    await spool.close();
    expect(await listSegments(dir)).toEqual([]);
  });

  it('skips and counts an unreadable line in the middle', async () => {
    const spool0 = await createSpool(dir, { diag });
    await spool0.append(logBatch(2));
    await spool0.close();
    const [seq] = await listSegments(dir);
    await fsp.appendFile(segmentFile(dir, seq), 'l{"garbage\n');
    const spool = await createSpool(dir, { diag });
    await spool.append(logBatch(1, 2));
    expect(spool.count()).toBe(4);
    expect(await drainAll(spool)).toEqual(['r0', 'r1', 'r2']);
    expect(spool.count()).toBe(0);
    expect(diag.counters()['spool.corrupt_lines']).toBe(1);
    await spool.close();
  });

  it('rolls segments and deletes the ones fully acknowledged', async () => {
    const spool = await createSpool(dir, { diag, segmentBytes: 2000 });
    for (let i = 0; i < 20; i++) await spool.append(logBatch(5, i * 5));
    const segs = (await listSegments(dir)).length;
    expect(segs).toBeGreaterThan(5);
    const item = await spool.peek(50);
    await spool.ack((item as NonNullable<typeof item>).token);
    expect((await listSegments(dir)).length).toBeLessThan(segs);
    expect(await drainAll(spool, 13)).toEqual(range(50, 100));
    expect(await listSegments(dir)).toEqual([]);
    expect(spool.stats().bytes).toBe(0);
    await spool.close();
  });

  it('group-commits concurrent appends in call order', async () => {
    const spool = await createSpool(dir, { diag });
    await Promise.all(Array.from({ length: 50 }, (_, i) => spool.append(logBatch(2, i * 2))));
    expect(spool.count()).toBe(100);
    expect(await drainAll(spool, 33)).toEqual(range(0, 100));
    await spool.close();
  });

  it('rejects an append beyond maxBytes and keeps what it has', async () => {
    const spool = await createSpool(dir, { diag, maxBytes: 3000 });
    await spool.append(logBatch(5));
    await expect(spool.append(logBatch(50, 5))).rejects.toThrow(/full/);
    expect(spool.count()).toBe(5);
    expect(await drainAll(spool)).toEqual(range(0, 5));
    await spool.close();
    await expect(spool.append(logBatch(1))).rejects.toThrow(/closed/);
  });

  it('refuses a second live spool on the same directory, and frees it on close', async () => {
    const spool = await createSpool(dir, { diag });
    await expect(createSpool(dir, { diag })).rejects.toBeInstanceOf(SpoolBusyError);
    await spool.close();
    await (await createSpool(dir, { diag })).close();
  });

  it('keeps every record whose append resolved when the writing process is killed with SIGKILL', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/spool-writer.ts'), dir, '50', '2000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acked = -1;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) acked = Math.max(acked, Number(l));
        if (acked >= 40) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
      setTimeout(() => reject(new Error(`writer too slow (acked ${acked}): ${stderr}`)), 15_000);
    });
    expect(await exited).toBe('SIGKILL');

    expect(await fsp.readFile(path.join(dir, 'lock'), 'utf8')).toBe(String(child.pid)); // left behind by kill -9
    const spool = await createSpool(dir, { diag }); // and taken over, since its process is gone
    const ids = await drainAll(spool);
    const mustHave = range(0, (acked + 1) * 50, 'k');
    expect(ids.slice(0, mustHave.length)).toEqual(mustHave);
    // What follows was appended after the last ack that the parent saw: whole records in order, never garbage.
    expect(ids.slice(mustHave.length)).toEqual(range(mustHave.length, ids.length, 'k'));
    await spool.close();
  });
});
