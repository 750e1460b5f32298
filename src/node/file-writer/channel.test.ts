import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDiag } from '../../shared/diag.js';
import type { Batch, LogRecord } from '../../shared/model.js';
import { createFilesystemBackend } from '../backends/filesystem/backend.js';
import { logLine } from '../backends/filesystem/json-lines.js';
import { createThreadedFileChannel } from './channel.js';
import { openFileChannel } from './index.js';
import { spawnWriterThread } from './spawn.js';
import { recordingSpawn } from './testing.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-fw-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const resource = { 'service.name': 'svc' };
const scope = { name: 'isotel', version: '1' };
const record = (i: number): LogRecord => ({
  record_id: `R${String(i).padStart(8, '0')}`,
  timestamp: '2026-11-21T10:00:00.000001Z',
  observed_timestamp: '2026-11-21T10:00:00.000001Z',
  severity_text: 'INFO',
  severity_number: 9,
  body: 'request handled',
  attributes: { i, route: '/api/price', pad: 'p'.repeat(i % 50) },
  resource,
  scope,
});
const batch = (from: number, n: number): Batch => ({ logs: Array.from({ length: n }, (_, k) => record(from + k)), spans: [], metrics: [] });
const ids = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as LogRecord).record_id) : [];
const quiet = () => createDiag(() => {});

async function until(cond: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('threaded file channel', () => {
  it('writes the records as the same JSON lines, in order, and flush() waits for them', async () => {
    const file = join(dir, 'app.jsonl');
    const backend = await createFilesystemBackend({ log_file: file });
    const c = await createThreadedFileChannel(backend, { diag: quiet() });
    for (let b = 0; b < 20; b++) c.enqueue(batch(b * 500, 500));
    await c.flush();
    expect(readFileSync(file, 'utf8')).toBe(Array.from({ length: 10_000 }, (_, i) => logLine(record(i))).join(''));
    expect(c.health()).toMatchObject({ state: 'healthy', delivered: 10_000, dropped: 0 });
    await c.close();
    await c.close();
    expect(c.health().state).toBe('closed');
  });

  it('rotates on the thread without losing or reordering a line', async () => {
    const file = join(dir, 'app.jsonl');
    const backend = await createFilesystemBackend({ log_file: file, max_bytes: 50_000, backup_count: 100 });
    const c = await createThreadedFileChannel(backend, { diag: quiet() });
    for (let b = 0; b < 10; b++) c.enqueue(batch(b * 300, 300));
    await c.close();
    const all: string[] = [];
    for (let k = 100; k >= 1; k--) all.push(...ids(`${file}.${k}`));
    all.push(...ids(file));
    expect(all).toEqual(Array.from({ length: 3000 }, (_, i) => record(i).record_id));
    expect(existsSync(`${file}.5`)).toBe(true);
  });

  it('gives the chunks of a thread that died to a new one: nothing lost or repeated', async () => {
    const file = join(dir, 'app.jsonl');
    const backend = await createFilesystemBackend({ log_file: file });
    const { spawn, threads } = recordingSpawn();
    const c = await createThreadedFileChannel(backend, { diag: quiet(), spawn });
    c.enqueue(batch(0, 1000));
    await threads[0].worker.terminate();
    c.enqueue(batch(1000, 1000));
    await until(() => c.health().delivered >= 2000);
    expect(threads.length).toBe(2);
    // Whatever the dead thread wrote of the chunks it was given is skipped by the new one (replay-guard.ts).
    expect(ids(file).sort()).toEqual(Array.from({ length: 2000 }, (_, i) => record(i).record_id));
    await c.close();
  });

  it('flush() waits for a dead thread\'s restart, so a process ending right after loses nothing', async () => {
    const file = join(dir, 'app.jsonl');
    const backend = await createFilesystemBackend({ log_file: file });
    const { spawn, threads } = recordingSpawn();
    const c = await createThreadedFileChannel(backend, { diag: quiet(), spawn });
    await c.flush();
    // The thread dies before it has written anything of the batch: the chunks wait for its successor.
    c.enqueue(batch(0, 1000));
    await threads[0].worker.terminate();
    await c.flush();
    expect(c.health()).toMatchObject({ delivered: 1000, dropped: 0 });
    expect(new Set(ids(file)).size).toBe(1000);
    await c.close();
  });

  it('retries while the file cannot be written, flush() returns meanwhile, and it recovers', async () => {
    const file = join(dir, 'app.jsonl');
    const backend = await createFilesystemBackend({ log_file: file });
    const c = await createThreadedFileChannel(backend, { diag: quiet() });
    rmSync(file); // created at start-up (the path check)
    mkdirSync(file); // a directory where the file should be: every write fails
    c.enqueue(batch(0, 100));
    await until(() => c.health().state === 'retrying');
    await c.flush();
    expect(c.health().last_error).toMatch(/EISDIR|directory/);
    rmSync(file, { recursive: true });
    await until(() => c.health().delivered === 100);
    expect(ids(file).length).toBe(100);
    expect(c.health().state).toBe('healthy');
    await c.close();
  });

  it('beyond maxPendingBytes drops the oldest chunks while the disk fails, and counts them', async () => {
    const file = join(dir, 'app.jsonl');
    const backend = await createFilesystemBackend({ log_file: file });
    const diag = quiet();
    const c = await createThreadedFileChannel(backend, { diag, maxPendingBytes: 200_000, windowBytes: 50_000 });
    rmSync(file);
    mkdirSync(file);
    for (let b = 0; b < 20; b++) c.enqueue(batch(b * 500, 500));
    const h = c.health();
    expect(h.dropped).toBeGreaterThan(0);
    expect(diag.counters()['logs.dropped.file_backlog']).toBe(h.dropped);
    rmSync(file, { recursive: true });
    await until(() => c.health().delivered + c.health().dropped === 10_000);
    const written = ids(file);
    expect(written.length).toBe(c.health().delivered);
    // What survived is the newest, in order.
    expect(written[written.length - 1]).toBe(record(9999).record_id);
    await c.close();
  });

  it('falls back to writing on the main thread when no thread can start', async () => {
    const file = join(dir, 'app.jsonl');
    const backend = await createFilesystemBackend({ log_file: file });
    const messages: string[] = [];
    const spawn: typeof spawnWriterThread = (target) => {
      const t = spawnWriterThread(target);
      void t.worker.terminate();
      return t;
    };
    const c = await openFileChannel(backend, { diag: createDiag((_l, m) => messages.push(m)), spawn });
    c.enqueue(batch(0, 10));
    await c.flush();
    expect(ids(file).length).toBe(10);
    expect(messages.some((m) => m.includes('writing on the main thread'))).toBe(true);
    await c.close();
  });
});
