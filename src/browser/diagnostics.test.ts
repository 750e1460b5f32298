import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The browser builds print short diagnostic codes (B01...) instead of sentences (size): each one must be
// explained in docs/browser-diagnostics.md.
const root = join(__dirname, '..', '..');
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });

describe('browser diagnostic codes', () => {
  it('every code used in src/browser is in the docs table, once, and every documented code is used', () => {
    const used = new Set<string>();
    for (const f of sources(join(root, 'src', 'browser'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/['`](B\d\d)\b/g)) used.add(m[1]);
    }
    const doc = readFileSync(join(root, 'docs', 'browser-diagnostics.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| (B\d\d) \|/gm)].map((m) => m[1]);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...used].sort()).toEqual([...documented].sort());
    expect(used.size).toBeGreaterThan(20);
  });
});
