/**
 * Issue 14's size test: `npm run size`'s check (scripts/size.mjs: esbuild es2019, minified, gzip -9, an entry that
 * imports and calls `init`) on the built package, so a change that takes lite or full over its budget fails
 * `npm test`, not only the bench. Runs the built dist/ (npm test builds before the e2e phase).
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('browser bundle sizes (scripts/size.mjs)', () => {
  it('lite and full are within their budgets, gzip -9 of an es2019 bundle that calls init', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/size.mjs')], { cwd: ROOT, timeout: 120_000 });
    // exit 0 means every budget held (size.mjs exits 1 over budget, and execFile then rejects with its output)
    const budgets = [...stdout.matchAll(/^ {2}(\w+)\s+import: .*\n {8}script(?:.*\n)*?\s+budget: (.*)$/gm)].map((m) => [m[1], m[2]]);
    expect(budgets.map(([name]) => name)).toEqual(['lite', 'full', 'zone']);
    expect(budgets.find(([name]) => name === 'lite')?.[1]).toMatch(/ ok;/);
    expect(budgets.find(([name]) => name === 'full')?.[1]).toMatch(/ ok;/);
    expect(stdout).toMatch(/loader script: .*\n\s+budget: .* ok$/m);
    // The lazy module entries: what the page loads with it, within its budget, and the SDK in a chunk after load.
    expect(stdout).toMatch(/^ {2}lazy import: .* with the page .*then the full SDK's chunk .*\n\s+budget: .* ok$/m);
    expect(stdout).toMatch(/^ {2}lite\/lazy import: .* with the page .*then the lite SDK's chunk .*\n\s+budget: .* ok$/m);
  });
});
