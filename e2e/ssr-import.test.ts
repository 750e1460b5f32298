/**
 * `isotel/browser` (and `/lite`, `/zone`, `/metrics`) imported by server-side rendering in Node (the `node` export
 * condition) gets an `init` that does nothing: the zone build would install zone.js in the server process,
 * whose patched MessagePort then throws on a worker's reply. Bundlers for the browser still get the real SDK,
 * zone.js only from `isotel/browser/zone`. Runs the built package (dist/) by its own name, as an app would.
 */
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

/** Runs `code` in a fresh Node process in the project root (so `isotel/...` resolves to this package). */
async function node(code: string, type: 'module' | 'commonjs'): Promise<{ out: string; err: string }> {
  const { stdout, stderr } = await run(process.execPath, [`--input-type=${type}`, '-e', code], { cwd: ROOT, timeout: 20_000 });
  return { out: stdout.trim(), err: stderr.trim() };
}

const WORKER_ROUND_TRIP = `
  const w = new Worker('require("node:worker_threads").parentPort.on("message", (m) => require("node:worker_threads").parentPort.postMessage(m + 1))', { eval: true, execArgv: [] });
  w.on('message', (m) => { console.log(JSON.stringify({ zone: typeof globalThis.Zone, reply: m, health: t.health().lastError })); w.terminate(); });
  w.postMessage(41);`;

describe('isotel/browser on the server (SSR)', () => {
  it('an ES-module import installs no zone.js, worker messages still arrive, and init warns once', async () => {
    const { out, err } = await node(`import { Worker } from 'node:worker_threads'; import { init } from 'isotel/browser';
      init({ endpoint: 'https://ingest.example/v1/logs' });
      const t = init({ endpoint: 'https://ingest.example/v1/logs' }); t.logger.info('rendered');${WORKER_ROUND_TRIP}`, 'module');
    expect(JSON.parse(out)).toEqual({ zone: 'undefined', reply: 42, health: expect.stringContaining('server-side rendering') });
    expect(err.split('\n').filter((l) => l.includes('does not record on the server'))).toHaveLength(1);
  });

  it('an ES-module import of isotel/browser/zone installs no zone.js either, and its span API (methods and named exports) does nothing', async () => {
    const { out } = await node(`import { Worker } from 'node:worker_threads'; import { init } from 'isotel/browser/zone';
      const t = init({ endpoint: 'https://ingest.example/v1/logs' });
      const inside = t.withSpan(t.startSpan('render'), (s) => s.isRecording());
      const { withSpan, startSpan, getActiveSpan } = await import('isotel/browser/zone');
      const named = withSpan(startSpan('render'), (s) => s.isRecording() || getActiveSpan() !== undefined);
      if (inside !== false || named !== false || t.getActiveSpan() !== undefined) throw new Error('the span API recorded on the server');${WORKER_ROUND_TRIP}`, 'module');
    expect(JSON.parse(out)).toEqual({ zone: 'undefined', reply: 42, health: expect.stringContaining('server-side rendering') });
  });

  it('require() of every entry works from CommonJS', async () => {
    const { out } = await node(`const { Worker } = require('node:worker_threads'); require('isotel/browser/lite'); require('isotel/browser/zone');
      require('isotel/browser/lazy').init({ endpoint: 'https://ingest.example/v1/logs' }).logger.info('rendered');
      require('isotel/browser/lite/lazy').init({ endpoint: 'https://ingest.example/v1/logs' }).logger.info('rendered');
      const t = require('isotel/browser').init({ endpoint: 'https://ingest.example/v1/logs' });
      require('isotel/browser/metrics').createMeter(t).counter('ssr.renders').add(1); // measures nothing, throws nothing${WORKER_ROUND_TRIP}`, 'commonjs');
    expect(JSON.parse(out)).toMatchObject({ zone: 'undefined', reply: 42 });
  });

  it('an ES-module import of the lazy entries gives the same no-op init, and never loads the SDK', async () => {
    const { out } = await node(`import { Worker } from 'node:worker_threads'; import { init } from 'isotel/browser/lazy'; import { init as lite } from 'isotel/browser/lite/lazy';
      lite({ endpoint: 'https://ingest.example/v1/logs' }).logger.info('rendered');
      const t = init({ endpoint: 'https://ingest.example/v1/logs' }); t.logger.info('rendered');${WORKER_ROUND_TRIP}`, 'module');
    expect(JSON.parse(out)).toEqual({ zone: 'undefined', reply: 42, health: expect.stringContaining('server-side rendering') });
  });

  it('a bundle for the browser still gets the real SDK: zone.js only from isotel/browser/zone', async () => {
    const bundled = async (entry: string): Promise<string> => {
      const out = await build({
        stdin: { contents: `import { init } from '${entry}'; init({ endpoint: '/v1/logs' });`, resolveDir: ROOT },
        bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent',
      });
      return out.outputFiles[0].text;
    };
    for (const entry of ['isotel/browser', 'isotel/browser/zone']) {
      const code = await bundled(entry);
      expect(code).toContain('indexedDB');
      expect(code).not.toContain('does not record on the server');
      if (entry.endsWith('/zone')) expect(code).toContain('ZoneAwarePromise');
      else expect(code).not.toContain('ZoneAwarePromise');
    }
  });
});
