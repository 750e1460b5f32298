// Where the loader's work after the page's load event goes, task by task, in Chromium with a 4x CPU slowdown: the
// page wraps window.setTimeout to time each callback over 3 ms (the loader's script injection, the SDK's start, the
// SDK's own later tasks), marks the SDK file's evaluation, and lists the long tasks. A diagnostic, not part of
// `npm run bench`: it put the SDK's start (its `init`) at 38-139 ms and its evaluation at 1-24 ms on a 2-core VM.
//   npm run build && node bench/browser/start-tasks.mjs [loads, default 5] [isotel.global.js | isotel-lite.global.js]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveWithIngest } from './page-load.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const sdkFile = process.argv[3] ?? 'isotel.global.js';
const sdk = `window.__ev0 = performance.now();\n${readFileSync(join(ROOT, 'dist/browser', sdkFile), 'utf8')}\nwindow.__ev1 = performance.now();`;
const loader = readFileSync(join(ROOT, 'dist/browser/isotel-loader.global.js'), 'utf8');
const page = `<!doctype html><html><head><script>
window.__lt=[]; new PerformanceObserver((l) => { for (const e of l.getEntries()) __lt.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: 'longtask', buffered: true });
window.__tasks = []; const st = window.setTimeout.bind(window);
window.setTimeout = (fn, ms, ...a) => st(typeof fn !== 'function' ? fn : () => { const t0 = performance.now(); try { return fn(...a); } finally { const d = performance.now() - t0; if (d > 3) __tasks.push([Math.round(t0), Math.round(d), String(fn).slice(0, 70)]); } }, ms);
</script><script>${loader}</script>
<script>window.t = Isotel.init({ endpoint: location.origin + '/ingest', serviceName: 'p', sdkUrl: '/sdk.js' }); t.logger.info('x');
addEventListener('load', () => { window.__load = Math.round(performance.now()); });</script>
</head><body><p>page</p></body></html>`;
const server = await serveWithIngest((url, res) => {
  if (url.pathname === '/sdk.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
  res.writeHead(200, { 'content-type': 'text/html' }).end(page);
});
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
for (let i = 0; i < Number(process.argv[2] ?? 5); i++) {
  const context = await browser.newContext(); const p = await context.newPage(); const cdp = await context.newCDPSession(p);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await p.goto(`http://127.0.0.1:${server.address().port}/`, { waitUntil: 'load' });
  await p.waitForTimeout(2500);
  const r = await p.evaluate(() => ({ load: window.__load, ev: [Math.round(window.__ev0), Math.round(window.__ev1 - window.__ev0)], lt: window.__lt, tasks: window.__tasks }));
  console.log(JSON.stringify(r));
  await context.close();
}
await browser.close(); server.close();
