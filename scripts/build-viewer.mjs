// The explorer viewer (src/viewer, Preact) as `isotel serve` serves it at /ui/: one script, one stylesheet and
// the HTML shell, in dist/viewer/. The shell has no inline script or style, so the server's CSP
// (script-src 'self', no inline style) holds. Run by `npm run build` after tsup; prints the gzipped sizes.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'viewer');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { viewer: join(root, 'src', 'viewer', 'main.tsx') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  outdir: out,
  logLevel: 'error',
});
for (const file of ['index.html', 'favicon.svg']) copyFileSync(join(root, 'src', 'viewer', file), join(out, file));
for (const file of ['viewer.js', 'viewer.css', 'index.html']) {
  const bytes = readFileSync(join(out, file));
  console.log(`viewer: dist/viewer/${file} ${bytes.length} B, ${gzipSync(bytes).length} B gzip`);
}
