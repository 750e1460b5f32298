// How fast the browser queue drains the bench's burst (11,000 log calls, 100 every 5 ms), in Chromium: the stand-in
// ingest counts the records it receives every 250 ms, a fetch wrapper in the page times each request and the gap to
// the next, and, with `idb`, Chromium's cost of one IndexedDB value per record against one value per 100 records.
// A diagnostic, not part of `npm run bench`: it gave the README's figures for the queue's segments (2026-12-08).
//   npm run build && node bench/browser/drain.mjs [isotel-lite.global.js | isotel.global.js] ["<extra init options>"] [idb]
//   e.g. node bench/browser/drain.mjs isotel-lite.global.js ", maxQueueRecords: 5000, maxQueueBytes: 5242880"
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveWithIngest } from './page-load.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const script = process.argv[2] ?? 'isotel-lite.global.js';
const extra = process.argv[3] ?? '';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });

async function drain() {
  const received = { count: 0, requests: 0 };
  const server = await serveWithIngest(
    (url, res) => {
      if (url.pathname === '/s.js') {
        const init = `\nwindow.telemetry = Isotel.init({ endpoint: location.origin + '/ingest', serviceName: 'bench' ${extra} });`;
        return res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(ROOT, 'dist/browser', script), 'utf8') + init);
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/s.js"></script>');
    },
    (body) => {
      received.requests++;
      for (const rl of body.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) received.count += (sl.logRecords ?? []).length;
    },
  );
  const page = await (await browser.newContext()).newPage();
  await page.addInitScript(() => {
    const f = window.fetch;
    window.__fetches = [];
    window.fetch = function (...a) {
      const t = performance.now();
      return f.apply(this, a).then((r) => (window.__fetches.push([t, performance.now()]), r));
    };
  });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => !!window.telemetry);
  await page.waitForTimeout(1500); // the page's own first records (session start) go first
  received.count = 0;
  received.requests = 0;
  const start = Date.now();
  const timeline = [];
  const poll = setInterval(() => timeline.push(`${Date.now() - start} ms: ${received.count}`), 250);
  await page.evaluate(async () => {
    for (let b = 0; b < 110; b++) {
      for (let i = 0; i < 100; i++) window.telemetry.logger.info('checkout started', { cart_items: 3, currency: 'EUR' });
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  const burstMs = Date.now() - start;
  while (received.count < 11_000 && Date.now() - start < 15_000) await new Promise((r) => setTimeout(r, 50));
  clearInterval(poll);
  const doneMs = Date.now() - start;
  const health = await page.evaluate(() => window.telemetry.health());
  const fetches = await page.evaluate(() => window.__fetches);
  const median = (x) => x.sort((p, q) => p - q)[x.length >> 1] ?? NaN;
  const durations = fetches.map(([a, b]) => b - a);
  const gaps = fetches.slice(1).map(([a], i) => a - fetches[i][1]);
  server.close();
  console.log(`${script}${extra}: burst ${burstMs} ms; ${received.count} of 11,000 received (${received.requests} requests) by ${doneMs} ms; dropped ${JSON.stringify(health.dropped)}`);
  console.log(`  requests: median ${median(durations).toFixed(1)} ms each, median ${median(gaps).toFixed(1)} ms between`);
  console.log(`  received by: ${timeline.filter((_, i) => i % 4 === 0).join(', ')}`);
}

async function idbValues() {
  const server = createServer((q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html>ok'));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const page = await (await browser.newContext()).newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const out = await page.evaluate(async () => {
    const db = await new Promise((res, rej) => {
      const o = indexedDB.open('probe', 1);
      o.onupgradeneeded = () => o.result.createObjectStore('s');
      o.onsuccess = () => res(o.result);
      o.onerror = rej;
    });
    const tx = async (fn) => {
      const t = db.transaction('s', 'readwrite');
      fn(t.objectStore('s'));
      await new Promise((res, rej) => ((t.oncomplete = res), (t.onerror = rej)));
    };
    const time = async (label, fn) => {
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) await fn(i);
      return [label, `${((performance.now() - t0) / 50).toFixed(2)} ms a transaction`];
    };
    const rec = (i, j) => ({ a: 'x'.repeat(500), i, j });
    return Object.fromEntries([
      await time('100 puts of a record', (i) => tx((s) => { for (let j = 0; j < 100; j++) s.put(rec(i, j), `a${i}-${j}`); })),
      await time('1 put of 100 records', (i) => tx((s) => s.put(Array.from({ length: 100 }, (_, j) => rec(i, j)), `b${i}`))),
      await time('100 deletes', (i) => tx((s) => { for (let j = 0; j < 100; j++) s.delete(`a${i}-${j}`); })),
      await time('1 delete', (i) => tx((s) => s.delete(`b${i}`))),
    ]);
  });
  server.close();
  console.log('IndexedDB in Chromium:', out);
}

try {
  await drain();
  if (process.argv.includes('idb')) await idbValues();
} finally {
  await browser.close();
}
