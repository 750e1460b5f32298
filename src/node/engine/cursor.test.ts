import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCursorStore } from './cursor.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('cursor store', () => {
  it('saves and loads a position, and reads an empty or torn cursor file as missing (re-delivery, not a failure)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isotel-cursor-'));
    dirs.push(dir);
    const store = createCursorStore(dir);
    expect(await store.load('postgres')).toBeUndefined();
    await store.save('postgres', { segment: 3, offset: 4096 });
    expect(await store.load('postgres')).toEqual({ segment: 3, offset: 4096 });
    writeFileSync(join(dir, 'postgres.json'), ''); // what a power cut can leave after an un-fsync'd rename
    expect(await store.load('postgres')).toBeUndefined();
    writeFileSync(join(dir, 'postgres.json'), '{"segment":3,"off');
    expect(await store.load('postgres')).toBeUndefined();
  });
});
