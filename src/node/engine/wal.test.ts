import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, readdirSync, appendFileSync, statSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteAheadLog } from './wal.js';
import { createDiag } from '../../shared/diag.js';
import type { Batch, LogRecord } from '../../shared/model.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-wal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const diag = createDiag(() => {});
function batch(from: number, n: number): Batch {
  const logs = Array.from({ length: n }, (_, i) => ({ record_id: `r${from + i}`, body: 'x'.repeat(50) }) as unknown as LogRecord);
  return { logs, spans: [], metrics: [] };
}
const open = (extra: Partial<Parameters<typeof WriteAheadLog.open>[0]> = {}) =>
  WriteAheadLog.open({ dir, maxBytes: 10 * 1024 * 1024, readers: ['a', 'b'], diag, ...extra });

async function drain(wal: WriteAheadLog, name: string, commit = true): Promise<string[]> {
  const r = wal.reader(name);
  const ids: string[] = [];
  for (;;) {
    const entries = await r.read(100);
    if (entries.length === 0) return ids;
    for (const e of entries) ids.push(...e.batch.logs.map((l) => l.record_id));
    if (!commit) return ids;
    await r.commit(entries[entries.length - 1].end);
  }
}

describe('WriteAheadLog', () => {
  it('gives each reader every appended record in order', async () => {
    const wal = await open();
    for (let i = 0; i < 10; i++) expect((await wal.append(batch(i * 10, 10))).ok).toBe(true);
    expect(wal.reader('a').waiting()).toBe(100);
    const a = await drain(wal, 'a');
    expect(a).toEqual(Array.from({ length: 100 }, (_, i) => `r${i}`));
    expect(wal.reader('a').waiting()).toBe(0);
    expect(wal.reader('b').waiting()).toBe(100);
    await wal.close();
  });

  it('resumes each reader from its committed cursor after reopening', async () => {
    let wal = await open({ segmentBytes: 2000 });
    for (let i = 0; i < 20; i++) await wal.append(batch(i * 5, 5));
    const r = wal.reader('a');
    const first = await r.read(30);
    await r.commit(first[first.length - 1].end);
    const seen = first.flatMap((e) => e.batch.logs.map((l) => l.record_id));
    await wal.close();
    wal = await open({ segmentBytes: 2000 });
    expect(wal.reader('a').waiting()).toBe(100 - seen.length);
    const rest = await drain(wal, 'a');
    expect([...seen, ...rest]).toEqual(Array.from({ length: 100 }, (_, i) => `r${i}`));
    expect(await drain(wal, 'b')).toHaveLength(100);
    await wal.close();
  });

  it('group-commits concurrent appends and keeps every one', async () => {
    const wal = await open();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => wal.append(batch(i, 1))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(await drain(wal, 'a')).size).toBe(200);
    await wal.close();
  });

  it('cuts a torn tail after a crash and keeps the whole frames before it', async () => {
    let wal = await open();
    for (let i = 0; i < 5; i++) await wal.append(batch(i * 2, 2));
    await wal.close();
    const seg = join(dir, readdirSync(dir).find((n) => n.endsWith('.wal'))!);
    const size = statSync(seg).size;
    appendFileSync(seg, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 2, 0, 0, 0, 123, 34]));
    wal = await open();
    expect(statSync(seg).size).toBe(size);
    expect(await drain(wal, 'a')).toHaveLength(10);
    expect((await wal.append(batch(100, 1))).ok).toBe(true);
    expect(await drain(wal, 'a')).toEqual(['r100']);
    await wal.close();
  });

  it('refuses appends beyond its byte budget instead of dropping, and frees space once readers pass', async () => {
    const wal = await open({ maxBytes: 6000, segmentBytes: 1500 });
    let refused = 0;
    for (let i = 0; i < 40; i++) {
      const r = await wal.append(batch(i, 5));
      if (!r.ok) {
        expect(r.reason).toBe('full');
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    await drain(wal, 'a');
    expect((await wal.append(batch(999, 5))).ok).toBe(false); // reader b still holds the segments
    await drain(wal, 'b');
    expect(wal.sizeBytes()).toBeLessThan(3000);
    expect((await wal.append(batch(999, 5))).ok).toBe(true);
    await wal.close();
  });

  it('gives records with equal resources one shared object, from memory and read back from disk', async () => {
    // Each request decodes its own resource object; backends key per-resource work on identity.
    const request = (from: number) => {
      const resource = { 'service.name': 'svc' };
      const scope = { name: 'scope' };
      const logs = Array.from({ length: 3 }, (_, i) => ({ record_id: `r${from + i}`, body: 'b', resource, scope }) as unknown as LogRecord);
      return { logs, spans: [], metrics: [] };
    };
    let wal = await open();
    for (let i = 0; i < 300; i++) await wal.append(request(i * 3));
    const cached = (await wal.reader('a').read(10_000)).flatMap((e) => e.batch.logs);
    expect(cached).toHaveLength(900);
    expect(new Set(cached.map((l) => l.resource)).size).toBe(1);
    await wal.close();
    wal = await open();
    const fromDisk = (await wal.reader('a').read(10_000)).flatMap((e) => e.batch.logs);
    expect(fromDisk).toHaveLength(900);
    expect(new Set(fromDisk.map((l) => l.resource)).size).toBe(1);
    expect(new Set(fromDisk.map((l) => l.scope)).size).toBe(1);
    expect(fromDisk[0]).toEqual({ record_id: 'r0', body: 'b', resource: { 'service.name': 'svc' }, scope: { name: 'scope' } });
    await wal.close();
  });

  it('still reads frames written with resources inline (the earlier frame format)', async () => {
    const payload = Buffer.from(JSON.stringify({ s: 1, l: [{ record_id: 'old', resource: { 'service.name': 'x' }, scope: { name: 's' } }], p: [] }));
    const header = Buffer.alloc(12);
    header.writeUInt32LE(payload.length, 0);
    header.writeUInt32LE(crc32(payload), 4);
    header.writeUInt32LE(1, 8);
    writeFileSync(join(dir, '000000000001.wal'), Buffer.concat([header, payload]));
    const wal = await open();
    const [entry] = await wal.reader('a').read(10);
    expect(entry.batch.logs).toEqual([{ record_id: 'old', resource: { 'service.name': 'x' }, scope: { name: 's' } }]);
    expect((await wal.append(batch(1, 1))).ok).toBe(true);
    expect(await drain(wal, 'b')).toEqual(['old', 'r1']);
    await wal.close();
  });

  it('keeps an exact waiting count while appends land during a commit that reads the disk', async () => {
    // A small cache makes the lagging reader count from disk (an await) while appends keep arriving.
    const wal = await open({ segmentBytes: 20_000, cacheBytes: 5_000 });
    const r = wal.reader('a');
    let done = false;
    const writer = (async () => {
      for (let i = 0; i < 150; i++) {
        await Promise.all(Array.from({ length: 4 }, (_, k) => wal.append(batch(i * 20 + k * 5, 5))));
        if (i % 7 === 0) await new Promise((res) => setTimeout(res, 1));
      }
      done = true;
    })();
    let delivered = 0;
    let lowest = 0;
    while (!done || r.waiting() !== 0) {
      const entries = await r.read(15);
      if (entries.length === 0) {
        await new Promise((res) => setTimeout(res, 1));
        continue;
      }
      delivered += entries.reduce((a, e) => a + e.count, 0);
      await r.commit(entries[entries.length - 1].end);
      lowest = Math.min(lowest, r.waiting());
      if (lowest < 0) break;
    }
    await writer;
    expect([delivered, r.waiting(), lowest]).toEqual([3000, 0, 0]);
    await wal.close();
  });

  it('wakes readers after every write round, also while appends keep arriving', async () => {
    const wal = await open();
    let woken = 0;
    wal.onAppend(() => woken++);
    let stop = false;
    const appender = async () => {
      while (!stop) await wal.append(batch(0, 1));
    };
    const running = [appender(), appender(), appender()];
    for (let waited = 0; woken === 0 && waited < 2000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    const wokenUnderLoad = woken;
    stop = true;
    await Promise.all(running);
    expect(wokenUnderLoad).toBeGreaterThan(0);
    await wal.close();
  });

  it('sizes segments from the budget (a quarter of it), so a budget below 64 MiB takes appends again once readers pass', async () => {
    const wal = await open({ maxBytes: 1024 * 1024 });
    let refused = 0;
    for (let i = 0; i < 400 && refused === 0; i++) if (!(await wal.append(batch(i * 50, 50))).ok) refused++;
    expect(refused).toBe(1);
    const sizes = readdirSync(dir).filter((n) => n.endsWith('.wal')).map((n) => statSync(join(dir, n)).size);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(256 * 1024 + 5000);
    await drain(wal, 'a');
    await drain(wal, 'b');
    expect((await wal.append(batch(9999, 50))).ok).toBe(true);
    await wal.close();
  });

  it('deletes the last segment too once every reader has passed it (the next append starts a new one)', async () => {
    const wal = await open({ segmentBytes: 8000 });
    for (let i = 0; i < 5; i++) await wal.append(batch(i * 10, 10));
    await drain(wal, 'a');
    await drain(wal, 'b');
    const before = readdirSync(dir).filter((n) => n.endsWith('.wal'));
    expect((await wal.append(batch(100, 1))).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    const after = readdirSync(dir).filter((n) => n.endsWith('.wal'));
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    expect(wal.sizeBytes()).toBe(statSync(join(dir, after[0])).size);
    expect(await drain(wal, 'a')).toEqual(['r100']);
    await wal.close();
  });

  it('says it is full, with the reason a refused append got, until readers free space', async () => {
    const wal = await open({ maxBytes: 6000, segmentBytes: 1500 });
    expect(wal.status()).toEqual({ full: false });
    let refusal = '';
    for (let i = 0; i < 40 && !refusal; i++) {
      const r = await wal.append(batch(i, 5));
      if (!r.ok) refusal = r.message;
    }
    expect(wal.status()).toEqual({ full: true, message: refusal });
    await drain(wal, 'a');
    expect(wal.status().full).toBe(true); // b still holds every segment
    await drain(wal, 'b');
    expect(wal.status()).toEqual({ full: false });
    await wal.close();
  });

  it('belongs to one live process at a time (a second opener of the directory is refused)', async () => {
    const wal = await open();
    await expect(open()).rejects.toThrow(/in use by process/);
    await wal.close();
    const again = await open();
    await again.close();
  });

  it('refuses a batch larger than a segment as too_large (the SDK splits it; the ingest answers 413)', async () => {
    const wal = await open({ maxBytes: 256 * 1024 });
    const r = await wal.append(batch(0, 2000));
    expect(r).toMatchObject({ ok: false, reason: 'too_large' });
    expect(wal.status()).toEqual({ full: false });
    expect((await wal.append(batch(0, 100))).ok).toBe(true);
    await wal.close();
  });
});
