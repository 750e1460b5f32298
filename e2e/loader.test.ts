/**
 * The script-tag loader (dist/browser/isotel-loader.global.js, as shipped) in real Chromium against a stand-in
 * ingest: what a page does before the SDK has loaded reaches the ingest once, with the times it happened, and
 * the SDK file itself is fetched only after the page's load event.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBoth, listenAndLaunch } from './helpers/browser.js';
import { attr, receivedLogs, standInIngest } from './helpers/received-logs.js';
import { waitFor } from './helpers/wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILES = ['isotel-loader.global.js', 'isotel.global.js', 'isotel-lite.global.js'];


let server: Server;
let browser: Browser;
let origin = '';
const received = receivedLogs();
const { logs, withBody } = received;
const pages: Record<string, string> = {};


/** A page: the loader by its file (so the SDK's address defaults to the file beside it), then the page's script. */
const page = (init: string, after = '') => `<!doctype html><html><head>
<script>window.__loadAt = 0; addEventListener('load', () => { window.__loadAt = performance.timeOrigin + performance.now(); });</script>
<script src="/dist/isotel-loader.global.js"></script>
<script>window.telemetry = Isotel.init(${init});</script>
<script>${after}</script>
</head><body>loader e2e</body></html>`;

beforeAll(async () => {
  for (const f of FILES) if (!existsSync(join(ROOT, 'dist/browser', f))) throw new Error(`dist/browser/${f} is missing: run npm run build (npm test does)`);
  const opts = (extra = '') => `{ endpoint: location.origin + '/ingest', serviceName: 'loader-e2e', batchDelayMs: 50${extra} }`;
  pages.early = page(
    opts(),
    `window.attrs = { step: 'before', n: 1 };
window.callAt = performance.timeOrigin + performance.now();
telemetry.logger.info('before-1', window.attrs);
window.attrs.step = 'changed after the call';
window.healthBefore = telemetry.health();
window.same = Isotel.init({}) === telemetry;
window.spanResult = telemetry.withSpan(telemetry.startSpan('before load'), (s) => (s.setAttribute('a', 1).end(), 42));
telemetry.logger.error('early-error-log', { code: 7 });
Promise.reject(new Error('early rejection'));
</script><script>window.boomAt = performance.timeOrigin + performance.now(); throw new Error('early boom');`,
  );
  pages.lite = page(opts(", sdkUrl: '/dist/isotel-lite.global.js'"), `telemetry.logger.warn('lite-before', { k: 'v' });`);
  pages.missing = page(opts(", sdkUrl: '/dist/nothing-here.js'"), `telemetry.logger.info('lost-1');`);
  // Scripts allowed by nonce only: the loader's script tag has the nonce, the SDK's script must get it too.
  pages.csp = page(opts(", sdkUrl: '/dist/isotel-lite.global.js'"), `telemetry.logger.info('csp-before');`).replace(/<script/g, '<script nonce="n0nce42"');
  pages.overflow = page(opts(", sdkUrl: '/dist/isotel-lite.global.js'"), `for (let i = 0; i < 1005; i++) telemetry.logger.info('burst', { i });`);
  server = standInIngest(received, (url, _req, res) => {
    if (url.pathname.startsWith('/dist/')) {
      const f = url.pathname.slice('/dist/'.length);
      if (!FILES.includes(f)) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(ROOT, 'dist/browser', f)));
    }
    const html = pages[url.pathname.slice(1)];
    const csp = url.pathname === '/csp' ? { 'content-security-policy': "script-src 'nonce-n0nce42'" } : {};
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html', ...csp }).end(html ?? '');
  });
  ({ origin, browser } = await listenAndLaunch(server));
});

afterAll(() => closeBoth(browser, server));

async function open(name: string): Promise<{ p: Page; warnings: string[]; pageErrors: string[] }> {
  const context = await browser.newContext();
  const p = await context.newPage();
  const warnings: string[] = [];
  const pageErrors: string[] = [];
  p.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
  p.on('pageerror', (e) => pageErrors.push(e.message));
  await p.goto(`${origin}/${name}`, { waitUntil: 'load' });
  return { p, warnings, pageErrors };
}

describe('the script-tag loader', () => {
  it('delivers what the page logged and threw before the SDK loaded, once, with the times it happened', async () => {
    const { p, pageErrors } = await open('early');
    await waitFor('the early record and errors at the ingest', () => withBody('before-1').length === 1 && withBody('early boom').length === 1 && withBody('early rejection').length === 1 && withBody('early-error-log').length === 1, { timeoutMs: 20_000 });
    const before = withBody('before-1')[0];
    const boom = withBody('early boom')[0];
    const page = await p.evaluate(() => {
      const w = window as unknown as Record<string, unknown> & { telemetry: { health(): { delivered: number; storage: string } } };
      const sdk = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/dist/isotel.global.js'));
      return { boomAt: w.boomAt as number, callAt: w.callAt as number, loadAt: w.__loadAt as number, sdkFetchAt: sdk ? performance.timeOrigin + sdk.startTime : -1, healthBefore: w.healthBefore as { queued: number; storage: string; sessionId: string }, same: w.same, spanResult: w.spanResult, after: w.telemetry.health() };
    });
    // The record's time is the call's (not the SDK's start) (within a few ms: the SDK starts after the load event, 100s of ms later); the attributes as they were at the call.
    expect(Math.abs(Number(BigInt(before.timeUnixNano) / 1000n) / 1000 - page.callAt)).toBeLessThan(5); // 1.1 ms once, a loaded VM
    expect(page.callAt).toBeLessThan(page.loadAt);
    expect(attr(before, 'step')).toBe('before');
    expect(attr(before, 'session.id')).toMatch(/^[0-9a-f]{32}$/);
    // The page's own uncaught error, through the SDK's error capture (exception.* and the source), once.
    expect(pageErrors).toContain('early boom');
    expect(attr(boom, 'exception.type')).toBe('Error');
    expect(attr(boom, 'isotel.error.source')).toBe('window.error');
    // The error's time is the throw's, before the load event (the SDK starts after it): the event's dispatch after the
    // throw took 7.2 ms once on a loaded 2-core VM, so the margin is 25 ms, not 5.
    const boomTime = Number(BigInt(boom.timeUnixNano) / 1000n) / 1000;
    expect(Math.abs(boomTime - page.boomAt)).toBeLessThan(25);
    expect(boomTime).toBeLessThan(page.loadAt);
    expect(page.boomAt).toBeLessThan(page.loadAt);
    // logger.error before the start is a log record, not taken for an error event.
    expect(String(attr(withBody('early-error-log')[0], 'code'))).toBe('7');
    expect(attr(withBody('early-error-log')[0], 'exception.type')).toBeUndefined();
    expect(attr(withBody('early rejection')[0], 'isotel.error.source')).toBe('unhandledrejection');
    // The SDK file was fetched after the load event; until it started, health said what was waiting.
    expect(page.sdkFetchAt).toBeGreaterThanOrEqual(page.loadAt);
    expect(page.healthBefore).toMatchObject({ queued: 1, storage: 'none', sessionId: '' });
    expect(page.same).toBe(true);
    expect(page.spanResult).toBe(42);
    expect(page.after.storage).toBe('indexeddb');
    expect(page.after.delivered).toBeGreaterThanOrEqual(2);
    // After the start, calls go to the SDK directly.
    await p.evaluate(() => (window as unknown as { telemetry: { logger: { info(m: string): void }; flush(): Promise<unknown> } }).telemetry.logger.info('after-1'));
    await p.evaluate(() => (window as unknown as { telemetry: { flush(): Promise<unknown> } }).telemetry.flush());
    await waitFor('the record logged after the start', () => withBody('after-1').length === 1, { timeoutMs: 10_000 });
    await p.context().close();
    expect(withBody('before-1')).toHaveLength(1);
    expect(withBody('early boom')).toHaveLength(1);
    expect(withBody('early rejection')).toHaveLength(1);
  });

  it('loads the lite build when sdkUrl names it', async () => {
    const { p } = await open('lite');
    await waitFor('the lite record', () => withBody('lite-before').length === 1, { timeoutMs: 20_000 });
    expect(attr(withBody('lite-before')[0], 'k')).toBe('v');
    await p.context().close();
  });

  it('gives the SDK script the page\'s nonce under a nonce-only Content-Security-Policy', async () => {
    const { p, warnings } = await open('csp');
    await waitFor('the record of the CSP page', () => withBody('csp-before').length === 1, { timeoutMs: 20_000 });
    expect(warnings.filter((w) => w.includes('[isotel]'))).toEqual([]);
    await p.context().close();
  });

  it('keeps 1,000 calls while the SDK loads and reports the rest as dropped in one warning record', async () => {
    const { p } = await open('overflow');
    await waitFor('1,000 burst records and the warning', () => withBody('burst').length === 1000 && logs.some((l) => String(l.body?.stringValue).startsWith('isotel loader dropped')), { timeoutMs: 30_000 });
    const warning = logs.find((l) => String(l.body?.stringValue).startsWith('isotel loader dropped'))!;
    expect(Number(attr(warning, 'isotel.dropped_count'))).toBe(5);
    expect(new Set(withBody('burst').map((l) => attr(l, 'i'))).size).toBe(1000);
    await p.context().close();
  });

  it('an SDK file that cannot load: one console warning, health says why, nothing throws into the page', async () => {
    const { p, warnings, pageErrors } = await open('missing');
    await waitFor('lastError', async () => (await p.evaluate(() => (window as unknown as { telemetry: { health(): { lastError?: string } } }).telemetry.health().lastError)) !== undefined, { timeoutMs: 10_000 });
    const r = await p.evaluate(async () => {
      const t = (window as unknown as { telemetry: { logger: { info(m: string): void }; health(): { lastError?: string }; flush(): Promise<{ done: boolean }>; shutdown(): Promise<void> } }).telemetry;
      t.logger.info('lost-2');
      return { lastError: t.health().lastError, flush: await t.flush(), shutdown: await t.shutdown() };
    });
    expect(r.lastError).toMatch(/could not load .*nothing-here\.js/);
    expect(r.flush).toEqual({ done: false, queued: 0 });
    expect(warnings.filter((w) => w.includes('[isotel] loader'))).toEqual([expect.stringContaining('[isotel] loader: could not load')]);
    expect(pageErrors).toEqual([]);
    await p.context().close();
  });
});
