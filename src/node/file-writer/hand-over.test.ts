import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDiag } from '../../shared/diag.js';
import type { Batch, LogRecord } from '../../shared/model.js';
import { createFilesystemBackend } from '../backends/filesystem/backend.js';
import { openFileChannel } from './index.js';
import { spawnWriterThread } from './spawn.js';
import { plainLog, recordingSpawn } from './testing.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-handover-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record = plainLog;
const batch = (prefix: string, from: number, n: number): Batch => ({ logs: Array.from({ length: n }, (_, k) => record(`${prefix}${from + k}`)), spans: [], metrics: [] });
const allIds = () =>
  readdirSync(dir)
    .filter((f) => f.startsWith('app.jsonl') && !f.endsWith('.lock'))
    .sort((a, b) => (b === 'app.jsonl' ? -1 : a === 'app.jsonl' ? 1 : Number(b.split('.').pop()) - Number(a.split('.').pop())))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as LogRecord).record_id));

describe('a file writer thread and another backend of the process on the same file', () => {
  it('hands the file over to the shared writer: nothing lost or repeated, its own lines in order, one rotation', async () => {
    const file = join(dir, 'app.jsonl');
    const { spawn, threads } = recordingSpawn();
    const logger = await createFilesystemBackend({ log_file: file, max_bytes: 30_000, backup_count: 100 });
    const channel = await openFileChannel(logger, { diag: createDiag(() => {}), spawn });
    expect(threads.length).toBe(1);
    for (let b = 0; b < 5; b++) channel.enqueue(batch('L', b * 100, 100));
    // The ingest a service hosts opens the same file: from now on both must go through one writer.
    const ingest = await createFilesystemBackend({ log_file: file, max_bytes: 30_000, backup_count: 100 });
    const writes: Array<Promise<unknown>> = [];
    for (let b = 5; b < 10; b++) {
      channel.enqueue(batch('L', b * 100, 100));
      writes.push(ingest.write(batch('I', b * 100, 100)));
    }
    await Promise.all(writes);
    await channel.flush();
    expect(channel.health()).toMatchObject({ delivered: 1000, dropped: 0 });
    expect(threads[0].worker.threadId).toBe(-1); // the thread has ended: one writer left
    await channel.close();
    await ingest.close();
    await threads[0].worker.terminate();
    const ids = allIds();
    expect(ids.length).toBe(1500);
    expect(new Set(ids).size).toBe(1500);
    expect(ids.filter((id) => id.startsWith('L'))).toEqual(Array.from({ length: 1000 }, (_, i) => `L${i}`));
    // While the thread hands over, two writers append (as two processes may, O_APPEND under the rotation
    // lock): a file can then pass max_bytes by what the other writer appended after the size check, at most
    // one batch (100 lines of ~300 bytes).
    for (const f of readdirSync(dir).filter((n) => n.startsWith('app.jsonl') && !n.endsWith('.lock'))) {
      expect(readFileSync(join(dir, f)).length).toBeLessThanOrEqual(30_000 + 100 * 310);
    }
  });

  it('starts no thread when the file is already shared', async () => {
    const file = join(dir, 'app.jsonl');
    const other = await createFilesystemBackend({ log_file: file });
    const backend = await createFilesystemBackend({ log_file: file });
    let spawned = 0;
    const spawn: typeof spawnWriterThread = (target) => {
      spawned++;
      return spawnWriterThread(target);
    };
    const channel = await openFileChannel(backend, { diag: createDiag(() => {}), spawn });
    channel.enqueue(batch('L', 0, 10));
    await channel.flush();
    expect(spawned).toBe(0);
    expect(allIds().length).toBe(10);
    await channel.close();
    await other.close();
  });
});
