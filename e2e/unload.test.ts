/**
 * The unload policy in Chromium (dist/browser/isotel-lite.global.js as shipped, against a stand-in ingest):
 * with `unloadAtMostOnce: true`, what the closing tab's beacon carried is deleted from the IndexedDB queue by
 * the next page of the origin instead of sent again (the default, at-least-once, re-sends it:
 * e2e/browser-sdk.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBoth, listenAndLaunch } from './helpers/browser.js';
import { storedBodies } from './helpers/stored-bodies.js';
import { waitFor } from './helpers/wait.js';

const BUNDLE = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'browser', 'isotel-lite.global.js');
const PAGE = `<!doctype html><script src="/isotel.js"></script><script>
window.telemetry = Isotel.init({ endpoint: location.origin + '/ingest', serviceName: 'unload-e2e', batchDelayMs: 200, unloadAtMostOnce: true });
</script>`;

interface Received {
  beacon: boolean;
  bodies: string[];
}

let server: Server;
let origin = '';
let browser: Browser;
const received: Received[] = [];
/** 503 with Retry-After: 1 h while the first page lives, so its record can only leave by beacon. */
let ingestStatus = 503;

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` before the browser tests (npm test does)`);
  const script = readFileSync(BUNDLE, 'utf8');
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/isotel.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      if (url.pathname === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const bodies = (body.resourceLogs ?? []).flatMap((rl: { scopeLogs: Array<{ logRecords: Array<{ body?: { stringValue?: string } }> }> }) =>
        rl.scopeLogs.flatMap((s) => s.logRecords.map((l) => String(l.body?.stringValue))),
      );
      // Beacons carry the ingest key in the query and are text/plain; fetch sends application/json.
      received.push({ beacon: /^text\/plain/.test(req.headers['content-type'] ?? ''), bodies });
      if (ingestStatus === 503) res.writeHead(503, { 'retry-after': '3600' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  ({ origin, browser } = await listenAndLaunch(server));
});

afterAll(() => closeBoth(browser, server));

interface PageTelemetry {
  logger: { info(m: string): void };
  health(): { lastError?: string; inFlight: number; queued: number };
}
const telemetry = (p: Page, fn: (t: PageTelemetry) => unknown) => p.evaluate(`(${fn.toString()})(window.telemetry)`);


describe('unloadAtMostOnce', () => {
  it('does not send again what the closing tab beaconed, and deletes it from the IndexedDB queue', async () => {
    const context = await browser.newContext();
    const first = await context.newPage();
    await first.goto(`${origin}/`);
    await telemetry(first, (t) => t.logger.info('first'));
    await waitFor('the first send to be refused', async () => (await telemetry(first, (t) => t.health().lastError)) === 'http_503');
    await telemetry(first, (t) => t.logger.info('last words'));
    await waitFor('the record in IndexedDB', () => first.evaluate(storedBodies).then((b) => b.includes('last words')));
    ingestStatus = 200;
    // Close the tab (the page-hide beacon goes), then open the origin again in a new one.
    await first.close({ runBeforeUnload: true });
    await waitFor('the beacon', () => received.some((r) => r.beacon && r.bodies.includes('last words')));
    const second = await context.newPage();
    await second.goto(`${origin}/`);
    await telemetry(second, (t) => t.logger.info('second page'));
    await waitFor('the second page to send its record', () => received.some((r) => !r.beacon && r.bodies.includes('second page')));
    await waitFor('the queue to be empty', async () => (await second.evaluate(storedBodies)).length === 0);
    expect(received.filter((r) => r.bodies.includes('last words')).map((r) => r.beacon)).toEqual([true]);

    await context.close();
  });
});
