// Size budget of the browser builds (npm run size): minified + gzip -9, measured two ways.
//  1. tree-shaken import: esbuild bundles `import { init } from '<entry>'; init({...})` the way an app's
//     bundler would (the published ESM file in dist/browser when built, else the TypeScript source), with
//     the settings an app needs (ES2022; for the full build, async/await lowered for zone.js);
//  2. the script-tag files dist/browser/*.global.js as shipped.
// Exits 1 when a build is over its budget (lite 12 KB, full 42 KB), so CI can run it.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const KB = 1024;
// The app-side settings: the full build needs async/await lowered (zone.js cannot follow native await),
// everything else stays native; the lite build has no zone.js, so nothing is lowered.
const ES2022 = { target: 'es2022' };
const ASYNC_LOWERED = { target: 'es2022', supported: { 'async-await': false, 'async-generator': false, 'for-await': false } };
const builds = [
  { name: 'lite', dist: 'dist/browser/lite.js', src: 'src/browser/lite.ts', global: 'dist/browser/isotel-lite.global.js', budget: 12 * KB, esbuild: ES2022 },
  { name: 'full', dist: 'dist/browser/index.js', src: 'src/browser/index.ts', global: 'dist/browser/isotel.global.js', budget: 42 * KB, esbuild: ASYNC_LOWERED },
];

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => `${(n / KB).toFixed(1)} KB (${n.toLocaleString("en")} B)`;

async function treeShaken(entry, settings) {
  const contents = `import { init } from ${JSON.stringify(join(root, entry))};
init({ endpoint: 'https://ingest.example.com', serviceName: 'size-check' });`;
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    ...settings,
    logLevel: 'error',
    // BigInt literals in the shared time code are left as they are (every browser with BigInt parses them).
    logOverride: { bigint: 'silent' },
  });
  return result.outputFiles[0].contents;
}

let over = false;
const rows = [];
for (const b of builds) {
  const entry = existsSync(join(root, b.dist)) ? b.dist : b.src;
  const code = await treeShaken(entry, b.esbuild);
  const shaken = gz(code);
  let iife = '(not built: npm run build)';
  let iifeGz;
  if (existsSync(join(root, b.global))) {
    const file = readFileSync(join(root, b.global));
    iifeGz = gz(file);
    iife = `${kb(iifeGz)}  (${kb(file.length)} min)`;
  }
  const worst = Math.max(shaken, iifeGz ?? 0);
  const ok = worst <= b.budget;
  if (!ok) over = true;
  rows.push([b.name, `${kb(shaken)}  (${kb(code.length)} min, from ${entry})`, iife, `${kb(b.budget)} ${ok ? 'ok' : 'OVER'}`]);
}

console.log('isotel browser builds, minified + gzip -9');
for (const [name, shaken, iife, budget] of rows) {
  console.log(`  ${name.padEnd(5)} import: ${shaken}\n        script: ${iife}\n        budget: ${budget}`);
}
process.exitCode = over ? 1 : 0;
