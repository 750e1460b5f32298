import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { RotatingFile } from './rotating-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-rot-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function readAll(f: RotatingFile): string[] {
  const out: string[] = [];
  for (const file of f.files()) if (existsSync(file)) out.push(...readFileSync(file, 'utf8').split('\n').filter(Boolean));
  return out;
}

describe('RotatingFile', () => {
  it('rotates at max_bytes, keeps backup_count files, and no file exceeds the limit', async () => {
    const file = join(dir, 'app.jsonl');
    const f = new RotatingFile(file, { maxBytes: 1000, backupCount: 3 });
    for (let i = 0; i < 100; i++) await f.append([`${JSON.stringify({ i, pad: 'x'.repeat(40) })}\n`]);
    await f.close();
    for (const name of [file, `${file}.1`, `${file}.2`, `${file}.3`]) {
      expect(existsSync(name)).toBe(true);
      expect(statSync(name).size).toBeLessThanOrEqual(1000);
    }
    expect(existsSync(`${file}.4`)).toBe(false);
  });

  it('loses nothing across rotations while backups suffice, in order', async () => {
    const file = join(dir, 'app.jsonl');
    const f = new RotatingFile(file, { maxBytes: 4096, backupCount: 100 });
    const batches = 30;
    for (let b = 0; b < batches; b++) {
      await f.append(Array.from({ length: 20 }, (_, k) => `${JSON.stringify({ i: b * 20 + k })}\n`));
    }
    await f.close();
    const lines = readAll(f).map((l) => (JSON.parse(l) as { i: number }).i);
    expect(lines).toEqual(Array.from({ length: batches * 20 }, (_, i) => i));
  });

  it('splits a batch at line boundaries and gives an oversized line a file of its own', async () => {
    const file = join(dir, 'app.jsonl');
    const f = new RotatingFile(file, { maxBytes: 100, backupCount: 10 });
    await f.append(['a'.repeat(60) + '\n', 'b'.repeat(60) + '\n', 'c'.repeat(250) + '\n', 'd\n']);
    await f.close();
    const lines = readAll(f);
    expect(lines).toEqual(['a'.repeat(60), 'b'.repeat(60), 'c'.repeat(250), 'd']);
  });

  it('with two processes writing and rotating one file: no torn or interleaved line, nothing lost', async () => {
    const file = join(dir, 'shared.jsonl');
    const run = (tag: string) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures/writer.ts'), file, tag, '3000', '20000'], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${tag} exited ${code}: ${err}`))));
      });
    await Promise.all([run('a'), run('b')]);
    const f = new RotatingFile(file, { maxBytes: 20000, backupCount: 50 });
    const seen = { a: new Set<number>(), b: new Set<number>() };
    for (const line of readAll(f)) {
      const rec = JSON.parse(line) as { tag: 'a' | 'b'; i: number; pad: string };
      expect(rec.pad).toBe('p'.repeat(rec.i % 97));
      seen[rec.tag].add(rec.i);
    }
    expect(seen.a.size).toBe(3000);
    expect(seen.b.size).toBe(3000);
  }, 30_000);
});
