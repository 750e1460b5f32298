import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-exit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).length : 0);

function run(file: string, count: number, mode: 'end' | 'wait', onReady?: (kill: (s: NodeJS.Signals) => void) => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures/exit-logger.ts'), file, String(count), mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) onReady?.((s) => child.kill(s));
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code !== null && code !== 0 ? reject(new Error(`exit ${code}: ${err}`)) : resolve({ code, signal })));
  });
}

describe('records at process exit', () => {
  it('writes every record when the process ends on its own without flush() or close()', async () => {
    const file = join(dir, 'app.jsonl');
    await run(file, 20_000, 'end');
    expect(lines(file)).toBe(20_000);
  }, 60_000);

  it('writes every record on SIGTERM, then exits by the signal', async () => {
    const file = join(dir, 'app.jsonl');
    const r = await run(file, 20_000, 'wait', (kill) => kill('SIGTERM'));
    expect(r.signal).toBe('SIGTERM');
    expect(lines(file)).toBe(20_000);
  }, 60_000);
});
