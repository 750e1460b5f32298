import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigError } from './errors.js';
import type { IsotelConfig } from './schema.js';
import { watchConfigFile, type ConfigWatcher } from './watch.js';

async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchConfigFile', () => {
  let dir = '';
  let watcher: ConfigWatcher | undefined;
  afterEach(async () => {
    watcher?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function setup() {
    dir = await mkdtemp(join(tmpdir(), 'isotel-watch-'));
    const file = join(dir, 'isotel.yaml');
    await writeFile(file, 'logger:\n  log_level: INFO\n');
    const changes: IsotelConfig[] = [];
    const errors: ConfigError[] = [];
    watcher = watchConfigFile(file, (c) => changes.push(c), (e) => errors.push(e), { env: {}, debounceMs: 30 });
    return { file, changes, errors };
  }

  it('calls onChange with the new configuration when the file is rewritten in place', async () => {
    const { file, changes } = await setup();
    await writeFile(file, 'logger:\n  log_level: DEBUG\n');
    await waitFor(() => changes.length === 1, 'onChange');
    expect(changes[0].logger.log_level).toBe('DEBUG');
  });

  it('follows an atomic replace (write a temporary file, rename it over the old one)', async () => {
    const { file, changes } = await setup();
    await writeFile(join(dir, '.isotel.yaml.tmp'), 'logger:\n  service_name: renamed\n');
    await rename(join(dir, '.isotel.yaml.tmp'), file);
    await waitFor(() => changes.length === 1, 'onChange');
    expect(changes[0].logger.service_name).toBe('renamed');
    // And keeps watching the new file.
    await writeFile(file, 'logger:\n  service_name: again\n');
    await waitFor(() => changes.length === 2, 'second onChange');
    expect(changes[1].logger.service_name).toBe('again');
  });

  it('calls onError for an invalid rewrite and nothing else, so the old configuration stays', async () => {
    const { file, changes, errors } = await setup();
    await writeFile(file, 'logger:\n  log_level: LOUD\n');
    await waitFor(() => errors.length === 1, 'onError');
    expect(errors[0].issues).toEqual([expect.objectContaining({ path: 'logger.log_level', line: 2 })]);
    expect(changes).toEqual([]);
    // A fixed file is picked up again.
    await writeFile(file, 'logger:\n  log_level: WARN\n');
    await waitFor(() => changes.length === 1, 'onChange after the fix');
    expect(changes[0].logger.log_level).toBe('WARN');
  });

  it('debounces a burst of writes into one reload, and ignores saves that change nothing', async () => {
    const { file, changes } = await setup();
    for (const level of ['TRACE', 'DEBUG', 'ERROR']) await writeFile(file, `logger:\n  log_level: ${level}\n`);
    await waitFor(() => changes.length >= 1, 'onChange');
    await sleep(150);
    expect(changes.map((c) => c.logger.log_level)).toEqual(['ERROR']);
    await writeFile(file, 'logger:\n  log_level: ERROR\n');
    await writeFile(join(dir, 'unrelated.txt'), 'x');
    await sleep(150);
    expect(changes).toHaveLength(1);
  });

  it('stops calling back after close', async () => {
    const { file, changes, errors } = await setup();
    watcher?.close();
    watcher?.close(); // idempotent
    await writeFile(file, 'logger:\n  log_level: DEBUG\n');
    await sleep(150);
    expect(changes).toEqual([]);
    expect(errors).toEqual([]);
  });
});
