/**
 * The shipped source maps describe the shipped bundles (dist/, built by `npm run build` before this project
 * runs): every mapped position lies inside the bundle, and the identifiers the map names are found in the
 * sources at the positions it gives. The script-tag files are minified by terser after esbuild; their maps
 * were once esbuild's maps of the unminified code (8,295 mapped lines for a 10-line file).
 */
import { eachMapping, TraceMap } from '@jridgewell/trace-mapping';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

function bundles(): string[] {
  if (!existsSync(DIST)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  return readdirSync(DIST, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(c?js)$/.test(f) && existsSync(join(DIST, `${f}.map`)))
    .sort();
}

interface MapCheck { mappings: number; outside: number; named: number; misnamed: number }

function check(file: string): MapCheck {
  const lines = readFileSync(join(DIST, file), 'utf8').split('\n');
  const map = new TraceMap(readFileSync(join(DIST, `${file}.map`), 'utf8'));
  const sources = new Map<string, string[]>();
  const sourceLines = (source: string) => {
    let got = sources.get(source);
    if (!got) {
      got = (map.sourcesContent?.[map.sources.indexOf(source)] ?? '').split('\n');
      sources.set(source, got);
    }
    return got;
  };
  const out: MapCheck = { mappings: 0, outside: 0, named: 0, misnamed: 0 };
  eachMapping(map, (m) => {
    out.mappings++;
    const line = lines[m.generatedLine - 1];
    if (line === undefined || m.generatedColumn > line.length) out.outside++;
    // Names esbuild makes (__async, generator, import_x and init_x of CommonJS interop) and import/export
    // statements it rewrites have no token of that name in the source: not counted.
    if (!m.source || m.name == null || /^(__|import_|init_|require_|generator$)/.test(m.name)) return;
    // Not checked, a known defect of the script-tag maps: a few hundred mappings point into the intermediate
    // bundle itself, without content (terser's chaining). web-vitals' names are checked since it is bundled
    // from its unminified modules (its minified bundle's own map put all of them at wrong columns).
    if (map.sourcesContent?.[map.sources.indexOf(m.source)] == null) return;
    const at = sourceLines(m.source)[m.originalLine - 1]?.slice(m.originalColumn) ?? '';
    if (/^(import|export)\b/.test(at)) return;
    out.named++;
    if (!at.startsWith(m.name)) out.misnamed++;
  });
  return out;
}

describe('source maps of dist/', () => {
  const files = bundles();

  it('ships a map beside every bundle, the minified script-tag files included', () => {
    expect(files).toEqual(expect.arrayContaining(['browser/isotel.global.js', 'browser/isotel-lite.global.js', 'browser/index.js', 'node/index.js', 'collector/index.cjs']));
  });

  it.each(files)('%s: every mapped position is inside the bundle and names match the sources', (file) => {
    const c = check(file);
    expect(c.mappings).toBeGreaterThan(100);
    expect(c.outside).toBe(0);
    // Some names point at a line's end: esbuild chains the dependencies' own maps (compiled tslib helpers
    // mapped onto their TypeScript); 5.9% of the full script-tag file's names, 0 of ours. A map of other
    // code would miss most of them.
    expect(c.misnamed / Math.max(1, c.named)).toBeLessThan(0.1);
  });
});
