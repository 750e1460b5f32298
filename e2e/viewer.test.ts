/**
 * The explorer (`isotel serve` at /ui/) in real Chromium, against an in-process serve() that stores into a
 * JSONL file and answers queries from it (no database): the read key asked for and pasted, a search by
 * service and tag, a trace opened, a span selected by mouse and keyboard with its attributes, the trace's
 * logs on its axis, a log followed to its trace. Attribute and log values that are script in disguise must
 * show as text: nothing runs, no CSP violation, no console error. The README's screenshots are taken here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../src/collector-endpoint/index.js';
import { launchChromium } from './helpers/browser.js';
import { CHECKOUT, EVIL_IMG, EVIL_SCRIPT, logsRequest, READ_KEY, SPAN, tracesRequest } from './helpers/viewer-data.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// Screenshots go to test-results/ (git-ignored); ISOTEL_UPDATE_SCREENSHOTS=1 refreshes the README's in docs/screenshots.
const SHOTS = process.env.ISOTEL_UPDATE_SCREENSHOTS ? join(ROOT, 'docs', 'screenshots') : join(ROOT, 'test-results', 'screenshots');

let dir: string;
let server: RunningServer;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

async function post(path: string, body: object): Promise<void> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, path).toBe(200);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-viewer-e2e-'));
  server = await serve({
    config: {
      logger: { service_name: 'viewer-e2e', enable_console: false, data_dir: join(dir, 'data'), backends: [{ backend_type: 'filesystem', config: { log_file: join(dir, 'logs', 'app.jsonl') } }] },
      ingest: { wal_dir: join(dir, 'wal'), query_backend: 'filesystem', read_key: READ_KEY },
    },
    port: 0,
    diagSink: () => {},
  });
  await post('/v1/traces', tracesRequest());
  await post('/v1/logs', logsRequest());
  expect(await server.handler.drain(60_000)).toBe(true);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // Before any script of the page: every CSP violation is kept where the test can read it.
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('console', (m) => {
    // The first API calls answer 401 until the key is pasted: the browser logs each failed load.
    if (m.type() === 'error' && !/status of 401/.test(m.text())) consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function nothingRan(): Promise<void> {
  const state = await page.evaluate(() => {
    const w = window as unknown as { __pwned?: number; __csp: string[] };
    return { pwned: w.__pwned, csp: w.__csp };
  });
  expect(state.pwned).toBeUndefined();
  expect(state.csp).toEqual([]);
  expect(consoleErrors).toEqual([]);
}

describe('the explorer at /ui/', () => {
  it('asks for the read key, then searches traces by service and tag', async () => {
    await page.goto(`${server.url}/ui/`);
    await page.getByLabel('Read key').fill('not-the-key');
    await page.getByRole('button', { name: 'Use key' }).click();
    await expect.poll(() => page.locator('.key-prompt').textContent()).toContain('refused that read key');
    await page.getByLabel('Read key').fill(READ_KEY);
    await page.getByRole('button', { name: 'Use key' }).click();
    const service = page.getByLabel('Service');
    await expect.poll(() => service.locator('option').allTextContents()).toContain('shop-api');
    await service.selectOption('shop-api');
    await page.getByLabel('Tags').fill('user.tier=gold');
    await page.getByRole('button', { name: 'Find traces' }).click();
    const items = page.locator('.trace-list > li');
    await expect.poll(() => items.count()).toBe(1);
    const text = await items.first().textContent();
    expect(text).toContain('shop-web: click checkout');
    expect(text).toContain('5 spans');
    expect(text).toContain('1 error');
    expect(await page.evaluate(() => sessionStorage.getItem('isotel.readKey'))).toBe(READ_KEY);
    await page.screenshot({ path: join(SHOTS, 'explorer-search.png'), fullPage: true });
    await nothingRan();
  });

  it('pages the trace list with "More traces" (an earlier end)', async () => {
    // A hash change keeps the page and its state: the answer to an earlier search (shop-web's, held back here
    // until after the later search's) must not overwrite the later one's list, nor may the last search's list
    // show while the new one runs.
    let lateAsked!: () => void;
    let lateAnswered!: () => void;
    const asked = new Promise<void>((resolve) => (lateAsked = resolve));
    const answered = new Promise<void>((resolve) => (lateAnswered = resolve));
    await page.route('**/api/traces?*service=shop-web*', async (r) => {
      lateAsked();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await r.continue();
      lateAnswered();
    });
    await page.goto(`${server.url}/ui/#/search?service=shop-web&limit=1`);
    await asked;
    await page.goto(`${server.url}/ui/#/search?service=shop-api&limit=1`);
    await answered;
    await page.unroute('**/api/traces?*service=shop-web*');
    const items = page.locator('.trace-list > li');
    await expect.poll(() => items.allTextContents()).toEqual([expect.stringContaining('GET /api/items')]);
    await page.getByRole('button', { name: 'More traces' }).click();
    await expect.poll(() => items.count()).toBe(2);
    expect(await items.nth(1).textContent()).toContain('click checkout');
    await nothingRan();
  });

  it('opens the trace: waterfall, critical path, browser and server spans, the logs on its axis', async () => {
    await page.getByRole('link', { name: /click checkout/ }).click();
    await page.waitForSelector('.waterfall .span-row');
    expect(await page.locator('.span-row').count()).toBe(5);
    expect(await page.locator('.span-row.is-critical .op-name').allTextContents()).toEqual(['click checkout', 'POST /api/checkout', 'POST /api/checkout', 'charge card']);
    expect(await page.locator('.span-row.is-error .op-name').allTextContents()).toEqual(['charge card']);
    expect(await page.locator('.span-row .kind-badge').allTextContents()).toEqual(['browser', 'browser', 'server', 'server', 'server']);
    // The legend's colours are the bars' colours, service by service.
    const legend = await page.locator('.legend li').evaluateAll((lis) =>
      lis.filter((li) => li.querySelector('.swatch:not([class*=" swatch-"])')).map((li) => [li.textContent?.trim(), getComputedStyle(li.querySelector('.swatch') as Element).backgroundColor]),
    );
    const bars = await page.locator('.span-row').evaluateAll((rows) => rows.map((r) => [r.querySelector('.service-name')?.textContent, getComputedStyle(r.querySelector('.bar') as Element).backgroundColor]));
    expect(legend.map(([name]) => name)).toEqual(['shop-web', 'shop-api']);
    for (const [name, colour] of bars) expect(legend).toContainEqual([name, colour]);
    const logs = page.locator('.waterfall .log-row');
    await expect.poll(() => logs.count()).toBe(2);
    expect(await logs.allTextContents()).toEqual(['INFO checkout started', 'ERROR card declined <img src=x onerror="window.__pwned=3">']);
    await nothingRan();
  });

  it('selects a span by click and by arrow keys and shows its attributes as text', async () => {
    await page.locator(`button[data-span="${SPAN.api}"]`).click();
    const details = page.locator('.span-details');
    await expect.poll(() => details.locator('h2').textContent()).toBe('POST /api/checkout');
    const attrs = await details.getByRole('table', { name: 'Span attributes' }).textContent();
    expect(attrs).toContain(EVIL_SCRIPT);
    expect(attrs).toContain(EVIL_IMG);
    expect(attrs).toContain('user.tier');
    expect(await page.locator('.span-details img, .span-details script').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'explorer-trace.png'), fullPage: true });
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => details.locator('h2').textContent()).toBe('SELECT cart');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-span'))).toBe(SPAN.db);
    // Focus moved by the keyboard is visible: the focused span's button has its outline.
    expect(await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle)).toBe('solid');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => details.locator('h2').textContent()).toBe('charge card');
    expect(await details.textContent()).toContain('ERROR: card declined');
    expect(await details.textContent()).toContain('CardDeclined');
    expect(page.url()).toContain(`span=${SPAN.charge}`);
    await nothingRan();
  });

  it('goes from the trace to its logs search and from a log back to its trace', async () => {
    await page.getByRole('link', { name: /open in logs search/ }).click();
    const items = page.locator('.log-list > li');
    await expect.poll(() => items.count()).toBe(2);
    expect(await page.getByLabel('Trace id').inputValue()).toBe(CHECKOUT);
    expect(await items.first().textContent()).toContain(`payment.provider=${EVIL_SCRIPT}`);
    await page.screenshot({ path: join(SHOTS, 'explorer-logs.png'), fullPage: true });
    await items.first().getByRole('link', { name: /View trace/ }).click();
    await expect.poll(() => page.locator('.span-details h2').textContent()).toBe('charge card');
    expect(page.url()).toContain(`#/trace/${CHECKOUT}`);
    await nothingRan();
  });

  it('searches all logs by text and severity, with no trace filter', async () => {
    await page.goto(`${server.url}/ui/#/logs?lookback=all&severity_min=INFO&q=items`);
    const items = page.locator('.log-list > li');
    await expect.poll(() => items.count()).toBe(1);
    expect(await items.first().textContent()).toContain('items listed');
    await nothingRan();
  });

  it('pages the logs with "More logs" (the API\'s cursor) until the last page', async () => {
    await page.goto(`${server.url}/ui/#/logs?lookback=all&service=shop-api&limit=1`);
    const items = page.locator('.log-list > li');
    await expect.poll(() => items.count()).toBe(1);
    for (const n of [2, 3]) {
      await page.getByRole('button', { name: 'More logs' }).click();
      await expect.poll(() => items.count()).toBe(n);
    }
    expect(await items.allTextContents()).toEqual([expect.stringContaining('items listed'), expect.stringContaining('card declined'), expect.stringContaining('checkout started')]);
    await expect.poll(() => page.getByRole('button', { name: 'More logs' }).count()).toBe(0);
    await nothingRan();
  });

  it("records none of the explorer's own requests: the stored services and traces are the app's alone", async () => {
    const get = async (path: string) => (await (await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${READ_KEY}` } })).json()) as { data: unknown[] };
    expect((await get('/api/services')).data).toEqual(['shop-api', 'shop-web']);
    expect((await get('/api/traces?service=shop-api&limit=100')).data).toHaveLength(2);
  });
});
