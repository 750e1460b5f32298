import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `--quick` (or BENCH_QUICK=1): every group at a small N and one run each, a smoke run (< 1 minute) that checks
 * that everything runs; its figures mean little. Set here, at import, so every group's sizes can use it.
 */
export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

/** A benchmark size: the environment variable `name` when set, else the full or the quick default. */
export function size(name, full, quick) {
  const v = process.env[name];
  return v !== undefined && v !== '' ? Number(v) : QUICK ? quick : full;
}

/** Runs one scenario script in a fresh process (own heap, own JIT) and returns its JSON result. */
export function runScenario(script, args = [], env = {}) {
  const r = spawnSync(process.execPath, ['--expose-gc', script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 15 * 60_000,
  });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const last = r.stdout.trim().split('\n').pop();
  return JSON.parse(last);
}

export function tempDir(prefix = 'isotel-bench-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Counts '\n' in a file without loading it whole. */
export async function countLines(file) {
  if (!existsSync(file)) return 0;
  let n = 0;
  for await (const chunk of createReadStream(file)) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Prints an aligned table. */
export function printTable(title, header, rows) {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  console.log(`\n${title}\n`);
  console.log(line(cells[0]));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of cells.slice(1)) console.log(line(r));
}

export const fmt = {
  int: (n) => Math.round(n).toLocaleString('en-US'),
  ratio: (n) => `${n.toFixed(2)}x`,
  ns: (n) => n.toFixed(0),
};
