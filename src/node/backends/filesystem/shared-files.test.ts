import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiag } from '../../../shared/diag.js';
import type { LogRecord } from '../../../shared/model.js';
import { createFilesystemBackend } from './backend.js';
import { plainLog } from '../../file-writer/testing.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const log = plainLog;

describe('two filesystem backends on the same file in one process', () => {
  it('append through one writer: no line lost, duplicated or split, every file within max_bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isotel-shared-'));
    dirs.push(dir);
    const warnings: string[] = [];
    const ctx = { dataDir: dir, diag: createDiag((level, m) => level === 'warn' && warnings.push(m)) };
    const file = join(dir, 'app.jsonl');
    const a = await createFilesystemBackend({ log_file: file, max_bytes: 20_000, backup_count: 50 }, ctx);
    const b = await createFilesystemBackend({ log_file: file, max_bytes: 20_000, backup_count: 50 }, ctx);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      writes.push(a.write({ logs: [log(`a${i}`)], spans: [], metrics: [] }), b.write({ logs: [log(`b${i}`)], spans: [], metrics: [] }));
    }
    await Promise.all(writes);
    await a.close();
    // b still writes after a closed: the file stays open for it.
    expect((await b.write({ logs: [log('b-last')], spans: [], metrics: [] })).status).toBe('success');
    await b.close();
    const files = readdirSync(dir).filter((f) => f.startsWith('app.jsonl'));
    const ids = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as LogRecord).record_id));
    expect(ids).toHaveLength(401);
    expect(new Set(ids).size).toBe(401);
    for (const f of files) expect(readFileSync(join(dir, f)).length).toBeLessThanOrEqual(20_000 + 400);
    expect(warnings).toEqual([]);
  });

  it('reports a second opener whose rotation settings differ', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isotel-shared-'));
    dirs.push(dir);
    const warnings: string[] = [];
    const ctx = { dataDir: dir, diag: createDiag((level, m) => level === 'warn' && warnings.push(m)) };
    const a = await createFilesystemBackend({ log_file: join(dir, 'x.jsonl'), max_bytes: 1000 }, ctx);
    const b = await createFilesystemBackend({ log_file: join(dir, 'x.jsonl'), max_bytes: 2000 }, ctx);
    expect(warnings[0]).toMatch(/already open in this process with max_bytes 1000/);
    await Promise.all([a.close(), b.close()]);
  });
});
