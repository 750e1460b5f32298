// Where a script-tag build's evaluation goes, module by module, in Chromium with a 4x CPU slowdown: the entry
// is bundled unminified (esbuild, es2019) with a `performance.now()` mark before each bundled module's top level,
// loaded by the loader after the page's load event as the shipped file would be, and each module's share is
// printed (ms, mean of the loads). A diagnostic, not part of `npm run bench`: it found the top-level
// `new Error().stack` that cost 47 of the full build's 54 ms evaluation (errors/own-frames.ts).
//   npm run build && node bench/browser/top-level.mjs [src/browser/global.ts] [loads, default 7]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { serveWithIngest } from './page-load.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const entry = process.argv[2] ?? 'src/browser/global.ts';
const loads = Number(process.argv[3] ?? 7);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

/** The bundle with a mark before each module: esbuild heads each module's code with a `// path` comment. */
async function markedBundle() {
  const r = await build({ entryPoints: [join(ROOT, entry)], bundle: true, format: 'iife', target: 'es2019', platform: 'browser', write: false, logLevel: 'error' });
  const code = r.outputFiles[0].text.replace(/^ {2}\/\/ (\S+)$/gm, (_, path) => `  __m(${JSON.stringify(path)});`);
  return `window.__T = []; var __m = (n) => { __T.push([n, performance.now()]); };\n${code}\n__m('(end)');`;
}

execFileSync('bash', [join(ROOT, 'scripts/ensure-chromium.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
const sdk = await markedBundle();
const loader = readFileSync(join(ROOT, 'dist/browser/isotel-loader.global.js'), 'utf8');
const page = `<!doctype html><html><head><script>${loader}</script>
<script>Isotel.init({ endpoint: location.origin + '/ingest', serviceName: 'top-level', sdkUrl: '/sdk.js' });</script>
</head><body><p>page</p></body></html>`;
const server = await serveWithIngest((url, res) => {
  if (url.pathname === '/sdk.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
  res.writeHead(200, { 'content-type': 'text/html' }).end(page);
});
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
const ms = {};
try {
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext();
    const p = await context.newPage();
    await (await context.newCDPSession(p)).send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await p.goto(`http://127.0.0.1:${server.address().port}/`, { waitUntil: 'load' });
    await p.waitForFunction(() => window.__T && window.__T.at(-1)[0] === '(end)', undefined, { timeout: 30_000 });
    const marks = await p.evaluate(() => window.__T);
    for (let m = 0; m + 1 < marks.length; m++) ms[marks[m][0]] = (ms[marks[m][0]] ?? 0) + (marks[m + 1][1] - marks[m][1]);
    ms['(all)'] = (ms['(all)'] ?? 0) + (marks.at(-1)[1] - marks[0][1]);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`Top level of ${entry}, per bundled module, ms with a 4x CPU slowdown (mean of ${loads} loads; the 15 largest):`);
for (const [name, t] of Object.entries(ms).sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${(t / loads).toFixed(2).padStart(8)}  ${name}`);
