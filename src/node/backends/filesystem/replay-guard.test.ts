import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, existsSync, appendFileSync, writeFileSync, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainLog } from '../../file-writer/testing.js';
import { encodeLogChunk, logLineId } from './json-lines.js';
import { RotatingFile } from './rotating-file.js';
import { ReplayGuard } from './replay-guard.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-replay-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const chunk = (from: number, n: number) => encodeLogChunk(Array.from({ length: n }, (_, i) => plainLog(`r${from + i}`)));

/** Lines per record id in every file of `f` (rotated ones included), and the lines that do not parse. */
function lineCounts(f: RotatingFile): { ids: Map<string, number>; torn: number } {
  const ids = new Map<string, number>();
  let torn = 0;
  for (const file of f.files()) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const id = (JSON.parse(line) as { record_id: string }).record_id;
        ids.set(id, (ids.get(id) ?? 0) + 1);
      } catch {
        torn++;
      }
    }
  }
  return { ids, torn };
}

const once = (from: number, n: number) => new Map(Array.from({ length: n }, (_, i) => [`r${from + i}`, 1]));

describe('JSONL replay guard', () => {
  it('a writer started again skips the lines of batches it is sent again and appends the rest once', async () => {
    const file = join(dir, 'app.jsonl');
    const first = new RotatingFile(file, { maxBytes: 1 << 30, backupCount: 1 }, logLineId);
    for (let b = 0; b < 5; b++) await first.appendChunk(chunk(b * 100, 100));
    await first.close(); // the crash: batches 3 and 4 were written, their cursor was not saved
    const second = new RotatingFile(file, { maxBytes: 1 << 30, backupCount: 1 }, logLineId);
    await second.appendChunk(chunk(300, 100));
    await second.appendChunk(chunk(400, 150)); // batch 4 again, merged with the next records
    await second.appendChunk(chunk(550, 50));
    expect(second.takeSkipped()).toBe(200);
    await second.close();
    expect(lineCounts(second)).toEqual({ ids: once(0, 600), torn: 0 });
  });

  it('skips a replay whose first copy was rotated into app.jsonl.1', async () => {
    const file = join(dir, 'app.jsonl');
    const opts = { maxBytes: 64 * 1024, backupCount: 3 };
    const first = new RotatingFile(file, opts, logLineId);
    for (let b = 0; b < 3; b++) await first.appendChunk(chunk(b * 100, 100)); // ~45 KB each: rotates
    await first.close();
    expect(existsSync(`${file}.1`)).toBe(true);
    const second = new RotatingFile(file, opts, logLineId);
    for (let b = 1; b < 4; b++) await second.appendChunk(chunk(b * 100, 100));
    await second.close();
    expect(lineCounts(second)).toEqual({ ids: once(0, 400), torn: 0 });
  });

  it('ends a line torn by a crash at the end of the file, and the record sent again is written whole once', async () => {
    const file = join(dir, 'app.jsonl');
    const whole = chunk(0, 10);
    const torn = chunk(10, 1);
    writeFileSync(file, Buffer.concat([whole, torn.subarray(0, 100)]));
    const f = new RotatingFile(file, { maxBytes: 1 << 30, backupCount: 1 }, logLineId);
    await f.appendChunk(chunk(5, 10)); // the replay: r5..r9 are there, r10 is torn, r11.. are new
    await f.close();
    // The piece stays, a line of its own that holds no record (not cut: it might be another writer's append).
    expect(lineCounts(f)).toEqual({ ids: once(0, 15), torn: 1 });
    expect(readFileSync(file, 'utf8').split('\n')[10]).toBe(torn.subarray(0, 100).toString());
  });

  it('a write that fails midway leaves no partial line, and its retry appends only the lines it lacked', async () => {
    const file = join(dir, 'app.jsonl');
    const f = new RotatingFile(file, { maxBytes: 1 << 30, backupCount: 1 }, logLineId);
    await f.appendChunk(chunk(0, 10));
    const probe = await fsp.open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { write: typeof probe.write };
    await probe.close();
    type BufferWrite = (this: fsp.FileHandle, buf: Buffer, off: number, len: number) => ReturnType<typeof probe.write>;
    const realWrite = proto.write as unknown as BufferWrite;
    // A short write of 1,000 bytes (a line and a half), then a full disk.
    vi.spyOn(proto, 'write')
      .mockImplementationOnce(function (this: fsp.FileHandle, buf: Buffer, off: number) {
        return realWrite.call(this, buf, off, 1000);
      } as unknown as typeof probe.write)
      .mockImplementationOnce(() => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })));
    const batch = chunk(10, 20);
    await expect(f.appendChunk(batch)).rejects.toThrow(/ENOSPC/);
    expect(readFileSync(file).at(-1)).toBe(10); // ends with a whole line
    vi.restoreAllMocks();
    await f.appendChunk(batch);
    expect(f.takeSkipped()).toBeGreaterThan(0);
    await f.close();
    expect(lineCounts(f)).toEqual({ ids: once(0, 30), torn: 0 });
  });

  it('after a failed write, the lines written behind it are skipped when both are sent again', async () => {
    const file = join(dir, 'app.jsonl');
    const f = new RotatingFile(file, { maxBytes: 1 << 30, backupCount: 1 }, logLineId);
    await f.appendChunk(chunk(0, 10));
    const probe = await fsp.open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { write: typeof probe.write };
    await probe.close();
    vi.spyOn(proto, 'write').mockImplementationOnce(() => Promise.reject(new Error('EIO: i/o error')));
    // The dispatcher's window: batch 1 fails, batch 2 (already handed over) is written.
    const [one, two] = await Promise.allSettled([f.appendChunk(chunk(10, 10)), f.appendChunk(chunk(20, 10))]);
    expect([one.status, two.status]).toEqual(['rejected', 'fulfilled']);
    // Then both again from the cursor, and new records.
    await f.appendChunk(chunk(10, 10));
    await f.appendChunk(chunk(20, 10));
    await f.appendChunk(chunk(30, 10));
    expect(f.takeSkipped()).toBe(10);
    await f.close();
    expect(lineCounts(f)).toEqual({ ids: once(0, 40), torn: 0 });
  });

  it('stands down once the replay window has passed: later lines cost no id lookups', async () => {
    const file = join(dir, 'app.jsonl');
    appendFileSync(file, chunk(0, 10));
    const guard = new ReplayGuard(logLineId, 8 * 1024);
    await guard.scan([file]);
    expect(guard.filter(chunk(5, 10)).toString()).toBe(chunk(10, 5).toString()); // r5..r9 skipped
    const beyond = chunk(20, 30); // ~12 KB: past the 8 KB window
    expect(guard.filter(beyond)).toBe(beyond);
    const again = chunk(0, 10); // sent again outside a replay (a client re-send): not the guard's concern
    expect(guard.filter(again)).toBe(again);
    expect(guard.takeSkipped()).toBe(5);
  });

  it('on a fresh file at start-up the guard stays down; after a failure it goes up even on an empty file', async () => {
    const file = join(dir, 'app.jsonl');
    const guard = new ReplayGuard(logLineId);
    await guard.scan([file]);
    const c = chunk(0, 10);
    expect(guard.filter(c)).toBe(c);
    guard.suspect();
    expect(guard.scanDue).toBe(true);
    await guard.scan([file]);
    expect(guard.filter(c)).toBe(c); // written now: recorded
    expect(guard.filter(c).length).toBe(0); // sent again: skipped
  });
});
