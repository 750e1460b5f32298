import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser.js';
import { startDemo, type DemoServer } from './demo-server.js';
import { freePort } from './ports.js';

/** What `useDemoAndChromium` started, readable in the tests (set once `beforeAll` ran). */
export interface DemoSuite {
  demo: DemoServer;
  browser: Browser;
  /** The file's temporary directory (the demo's data and JSONL files are below it). */
  work: string;
}

/**
 * Registers the file's `beforeAll` / `afterAll`: a temporary directory named after `prefix`, the demo on its
 * JSONL backend and Chromium, started together; both stopped and the directory removed after the file's tests.
 * `env` is set in process.env before the demo starts (it inherits it) and removed after.
 */
export function useDemoAndChromium(prefix: string, env: () => Promise<Record<string, string>> = async () => ({})): DemoSuite {
  const suite = {} as DemoSuite;
  let set: string[] = [];
  beforeAll(async () => {
    suite.work = mkdtempSync(join(tmpdir(), `isotel-e2e-${prefix}-`));
    const vars = await env();
    set = Object.keys(vars);
    Object.assign(process.env, vars);
    const w = suite.work;
    const opts = { port: await freePort(), dataDir: join(w, 'data'), logDir: join(w, 'logs'), outFile: join(w, 'demo.out'), backend: 'jsonl' as const };
    [suite.demo, suite.browser] = await Promise.all([startDemo(opts), launchChromium()]);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.demo?.stop();
    for (const k of set) delete process.env[k];
    if (suite.work) rmSync(suite.work, { recursive: true, force: true });
  });
  return suite;
}
