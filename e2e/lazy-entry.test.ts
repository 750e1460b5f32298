/**
 * The lazy module entries (`isotel/browser/lazy`, `isotel/browser/lite/lazy`) as an app's bundler uses them: an app
 * bundled by esbuild with code splitting from the built files in dist/browser, run in real Chromium against a
 * stand-in ingest. What the page does before its load event reaches the ingest once with the times it happened,
 * the SDK's chunk is fetched only after the load event, and the full SDK then traces the page's fetches.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBoth, listenAndLaunch } from './helpers/browser.js';
import { attr, receivedLogs, standInIngest } from './helpers/received-logs.js';
import { waitFor } from './helpers/wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');


let server: Server;
let browser: Browser;
let origin = '';
let outDir = '';
const received = receivedLogs();
const { withBody } = received;
const traceparents: string[] = [];
const apps: Record<string, string> = {};


/** The app's module: init, a call whose attributes change after it, an error and a rejection, all before `load`. */
const appSource = (entry: string, name: string) => `import * as lazy from ${JSON.stringify(join(ROOT, 'dist/browser', entry))};
const { init } = lazy;
window.lazyApi = lazy;
window.telemetry = init({ endpoint: location.origin + '/ingest', serviceName: 'lazy-e2e', batchDelayMs: 50 });
window.attrs = { step: 'before' };
window.callAt = performance.timeOrigin + performance.now();
telemetry.logger.info('${name}-before', window.attrs);
window.attrs.step = 'changed after the call';
window.healthBefore = telemetry.health();
window.same = init({}) === telemetry;
queueMicrotask(() => { throw new Error('${name} boom'); });
Promise.reject(new Error('${name} rejection'));
`;

beforeAll(async () => {
  for (const f of ['lazy.js', 'lite-lazy.js', 'index.js', 'lite.js']) {
    if (!existsSync(join(ROOT, 'dist/browser', f))) throw new Error(`dist/browser/${f} is missing: run npm run build (npm test does)`);
  }
  outDir = mkdtempSync(join(tmpdir(), 'isotel-lazy-e2e-'));
  for (const [name, entry] of [['full', 'lazy.js'], ['lite', 'lite-lazy.js']] as const) {
    await build({
      stdin: { contents: appSource(entry, name), resolveDir: ROOT, loader: 'js', sourcefile: `${name}-app.js` },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2019',
      minify: true,
      outdir: join(outDir, name),
      entryNames: 'app',
      logLevel: 'error',
      logOverride: { bigint: 'silent' },
    });
    apps[name] = `<!doctype html><html><head>
<script>window.__loadAt = 0; addEventListener('load', () => { window.__loadAt = performance.timeOrigin + performance.now(); });</script>
<script type="module" src="/app/${name}/app.js"></script>
</head><body>lazy entry e2e</body></html>`;
  }
  server = standInIngest(received, (url, req, res) => {
    if (url.pathname === '/api/ping') {
      traceparents.push(String(req.headers.traceparent ?? ''));
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end('pong');
    }
    if (url.pathname.startsWith('/app/')) {
      const file = join(outDir, url.pathname.slice('/app/'.length));
      if (!file.startsWith(outDir) || !existsSync(file)) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
    }
    const html = apps[url.pathname.slice(1)];
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html' }).end(html ?? '');
  });
  ({ origin, browser } = await listenAndLaunch(server));
});

afterAll(async () => {
  await closeBoth(browser, server);
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('the lazy module entries, bundled with code splitting', () => {
  for (const name of ['full', 'lite'] as const) {
    it(`${name}: what the page did before load reaches the ingest once with its times; the SDK chunk comes after load`, async () => {
      const context = await browser.newContext();
      const p = await context.newPage();
      const pageErrors: string[] = [];
      p.on('pageerror', (e) => pageErrors.push(e.message));
      await p.goto(`${origin}/${name}`, { waitUntil: 'load' });
      await waitFor(`the ${name} records at the ingest`, () => withBody(`${name}-before`).length === 1 && withBody(`${name} boom`).length === 1 && withBody(`${name} rejection`).length === 1, { timeoutMs: 20_000 });
      const page = await p.evaluate(() => {
        const w = window as unknown as Record<string, unknown> & { telemetry: { health(): { storage: string } } };
        const chunks = performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/app/') && !e.name.endsWith('/app.js'))
          .map((e) => ({ name: e.name, at: performance.timeOrigin + e.startTime }));
        return { callAt: w.callAt as number, loadAt: w.__loadAt as number, chunks, healthBefore: w.healthBefore as { queued: number; storage: string }, same: w.same, after: w.telemetry.health() };
      });
      const before = withBody(`${name}-before`)[0];
      expect(Math.abs(Number(BigInt(before.timeUnixNano) / 1000n) / 1000 - page.callAt)).toBeLessThan(5); // 1.1 ms once, a loaded VM
      expect(page.callAt).toBeLessThan(page.loadAt);
      expect(attr(before, 'step')).toBe('before');
      expect(attr(before, 'session.id')).toMatch(/^[0-9a-f]{32}$/);
      expect(attr(withBody(`${name} boom`)[0], 'isotel.error.source')).toBe('window.error');
      expect(attr(withBody(`${name} rejection`)[0], 'isotel.error.source')).toBe('unhandledrejection');
      expect(pageErrors).toContain(`${name} boom`);
      // The SDK is a chunk of its own, fetched after the load event; until it started, health said what waited.
      const size = (c: { name: string }) => readFileSync(join(outDir, name, basename(new URL(c.name).pathname))).length;
      const sdkChunk = page.chunks.find((c) => size(c) > 20_000); // the SDK's chunk: lite's is ~30 KB minified, the app's entry ~4
      expect(sdkChunk, JSON.stringify(page.chunks)).toBeDefined();
      expect(sdkChunk!.at).toBeGreaterThanOrEqual(page.loadAt);
      expect(page.healthBefore).toMatchObject({ queued: 1, storage: 'none' });
      expect(page.same).toBe(true);
      expect(page.after.storage).toBe('indexeddb');
      if (name === 'full') {
        // The full SDK started: the page's same-origin fetches carry a traceparent.
        await p.evaluate(() => fetch('/api/ping').then((r) => r.text()));
        expect(traceparents.at(-1)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
        // The named span API (as isotel/browser exports it) reaches the started SDK: a fetch inside withSpan is its child.
        const traceId = await p.evaluate(() => {
          type S = { spanContext(): { traceId: string }; end(): void };
          const api = (window as unknown as { lazyApi: { startSpan(n: string): S; withSpan<T>(s: S, fn: (s: S) => T): T } }).lazyApi;
          const span = api.startSpan('lazy-span');
          return api.withSpan(span, () => fetch('/api/ping').then(() => (span.end(), span.spanContext().traceId)));
        });
        expect(traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(traceId).not.toBe('0'.repeat(32));
        expect(traceparents.at(-1)).toContain(`00-${traceId}-`);
      }
      await context.close();
      expect(withBody(`${name}-before`)).toHaveLength(1);
      expect(withBody(`${name} boom`)).toHaveLength(1);
    });
  }
});
