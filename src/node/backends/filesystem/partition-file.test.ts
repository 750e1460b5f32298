import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PartitionFile, partitionFileName, type SourcedLine } from './partition-file.js';
import { logLineId } from './json-lines.js';

let dir: string;
let file: string;
const opts = { maxBytes: 1 << 30, backupCount: 3, fsync: false };

/** A line as logLine writes one (record_id last), at (offset, index) of a message of `count` records. */
function line(id: string, offset: number, index: number, count = 1): SourcedLine {
  return { line: `{"body":"x","record_id":"${id}"}\n`, id, pos: { topic: 't', partition: 0, offset, index, count } };
}
const msg = (offset: number, count: number, from = 0) => Array.from({ length: count - from }, (_, k) => line(`r${offset}-${from + k}`, offset, from + k, count));

function idsInFiles(): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).filter((n) => /\.jsonl(\.\d+)?$/.test(n)).sort()) {
    for (const l of readFileSync(join(dir, f), 'utf8').split('\n')) if (l) out.push((JSON.parse(l) as { record_id: string }).record_id);
  }
  return out.sort();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jsonlx-part-'));
  file = partitionFileName(join(dir, 'app.jsonl'), 't', 0);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('PartitionFile', () => {
  it('names the file after its stem, topic and partition', () => {
    expect(partitionFileName('/x/app.jsonl', 'otlp_logs', 3)).toBe('/x/app.kafka-otlp_logs-3.jsonl');
    expect(partitionFileName('/x/app.spans.jsonl', 'otlp_spans', 0)).toBe('/x/app.spans.kafka-otlp_spans-0.jsonl');
  });

  it('writes a message read again by another writer once, however far back, with no id window at all', async () => {
    const a = new PartitionFile(file, { ...opts, windowBytes: 0 }, logLineId);
    const b = new PartitionFile(file, { ...opts, windowBytes: 0 }, logLineId);
    expect(await a.append([...msg(0, 3), ...msg(1, 2)])).toEqual({ written: 5, byPosition: 0, byId: 0 });
    for (let o = 2; o < 50; o++) await a.append(msg(o, 2));
    // b took the partition from the group's committed offset 1 and reads 1..51 again.
    const again = [];
    for (let o = 1; o < 52; o++) again.push(...msg(o, 2));
    expect(await b.append(again)).toEqual({ written: 4, byPosition: 98, byId: 0 });
    expect(idsInFiles()).toHaveLength(3 + 2 * 51);
    expect(new Set(idsInFiles()).size).toBe(3 + 2 * 51);
  });

  it('writes a late backlog of lower offsets that another writer passed (nothing lost), and a message split over writes', async () => {
    const a = new PartitionFile(file, opts, logLineId);
    const b = new PartitionFile(file, opts, logLineId);
    await b.append([...msg(10, 2), ...msg(11, 2)]);
    await a.append([...msg(8, 2), ...msg(9, 4).slice(0, 2)]); // a's backlog: 8, the first half of 9
    await b.append([...msg(9, 4), ...msg(10, 2)]); // 9 whole, 10 again
    await a.append(msg(9, 4, 2)); // the rest of 9 from a: already there
    expect(idsInFiles()).toEqual(['r10-0', 'r10-1', 'r11-0', 'r11-1', 'r8-0', 'r8-1', 'r9-0', 'r9-1', 'r9-2', 'r9-3']);
  });

  it('skips a record already in the file under another position (a re-sent request in a second message) within the window', async () => {
    const a = new PartitionFile(file, opts, logLineId);
    const b = new PartitionFile(file, opts, logLineId);
    await a.append([line('x', 1, 0, 2), line('y', 1, 1, 2)]);
    expect(await b.append([line('x', 7, 0, 2), line('z', 7, 1, 2)])).toEqual({ written: 1, byPosition: 0, byId: 1 });
    expect(idsInFiles()).toEqual(['x', 'y', 'z']);
  });

  it('cuts lines past the saved state (a holder killed between its write and its state) and writes them once', async () => {
    const a = new PartitionFile(file, opts, logLineId);
    await a.append(msg(0, 2));
    appendFileSync(file, '{"body":"x","record_id":"r1-0"}\n{"body":"x","rec'); // b's write, b killed before its state
    const c = new PartitionFile(file, opts, logLineId);
    expect(await c.append(msg(1, 2))).toEqual({ written: 2, byPosition: 0, byId: 0 });
    expect(idsInFiles()).toEqual(['r0-0', 'r0-1', 'r1-0', 'r1-1']);
  });

  it('rotates, and still writes each position once across the rotated files', async () => {
    const small = { ...opts, maxBytes: 200, backupCount: 20, windowBytes: 0 };
    const a = new PartitionFile(file, small, logLineId);
    const b = new PartitionFile(file, small, logLineId);
    for (let o = 0; o < 20; o++) await a.append(msg(o, 2));
    for (let o = 0; o < 22; o++) await b.append(msg(o, 2));
    expect(existsSync(`${file}.1`)).toBe(true);
    expect(idsInFiles()).toHaveLength(44);
    expect(new Set(idsInFiles()).size).toBe(44);
  });

  it('takes over the lock of a process that died holding it', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(`${file}.lock`, dead.stdout.trim());
    writeFileSync(`${file}.lock.${dead.stdout.trim()}-0`, dead.stdout.trim()); // its private copy, linked as the lock
    const a = new PartitionFile(file, opts, logLineId);
    expect(await a.append(msg(0, 1))).toEqual({ written: 1, byPosition: 0, byId: 0 });
    expect(readdirSync(dir).filter((n) => n.includes('.lock'))).toEqual([]);
  });
});
