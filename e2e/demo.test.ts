/**
 * The demo, end to end: `node demo/server.mjs --backend all` as a child process, Debian Chromium driven by
 * playwright-core, and every assertion checked against what reached each backend (JSONL files, PostgreSQL
 * tables, Elasticsearch indices), queried directly. Waits poll with deadlines; the only fixed wait is the
 * 10 s outage of the offline test.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser.js';
import { setDemoOffline, startDemo, type DemoOptions, type DemoServer } from './helpers/demo-server.js';
import { oneLog, oneSpan, postOtlp, randomHex } from './helpers/otlp.js';
import { calculate, health, lastTraceId, logMarked, openDemo, pageErrors, waitIdle } from './helpers/page.js';
import { freePort } from './helpers/ports.js';
import { elasticsearchStore } from './helpers/store-elasticsearch.js';
import { jsonlStore } from './helpers/store-jsonl.js';
import { PG_CONFIG, postgresStore } from './helpers/store-postgres.js';
import { countBy, type Counts, type Store, type StoredLog, type StoredSpan } from './helpers/stores.js';
import { waitFor } from './helpers/wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// Screenshots go to test-results/ (git-ignored); ISOTEL_UPDATE_SCREENSHOTS=1 refreshes the README's in docs/screenshots.
const SCREENSHOTS = process.env.ISOTEL_UPDATE_SCREENSHOTS ? join(ROOT, 'docs', 'screenshots') : join(ROOT, 'test-results', 'screenshots');
const VIEWPORT = { width: 1280, height: 800 };
/** This run's marker: the PostgreSQL tables and Elasticsearch indices outlive runs. */
const RUN = randomBytes(4).toString('hex');

let work: string;
let demoOptions: DemoOptions;
let demo: DemoServer | undefined;
let browser: Browser | undefined;
let stores: Store[] = [];
let postgres: Store;
const contexts: BrowserContext[] = [];
/** The trace of the first "Calculate" click (test 1), drawn by the viewer test. */
let calculateTrace: string | undefined;

const timings: Array<[string, number]> = [];
let testStart = 0;
const fileStart = Date.now();

function server(): DemoServer {
  if (!demo) throw new Error('the demo server is not running');
  return demo;
}

async function newContext(): Promise<BrowserContext> {
  if (!browser) throw new Error('Chromium is not running');
  const context = await browser.newContext({ viewport: VIEWPORT });
  contexts.push(context);
  return context;
}

const demoTail = (): string => demo?.tail() ?? '';

/** Polls every backend at once until `probe` finds what it looks for in each; resolves with the finds. */
function inEveryStore<T>(what: string, probe: (store: Store) => Promise<T | undefined>, timeoutMs = 30_000): Promise<Array<[Store, T]>> {
  return Promise.all(stores.map(async (store) => [store, await waitFor(`${store.name}: ${what}`, () => probe(store), { timeoutMs, detail: demoTail })] as [Store, T]));
}

/**
 * Waits until `count` records of `caseId` are in every backend, then returns their counts per backend
 * (rows, distinct record ids and distinct e2e_seq values; see expectDeliveredOnce).
 */
async function deliveredEverywhere(caseId: string, count: number, timeoutMs = 60_000) {
  const found = await inEveryStore(
    `${count} records of ${caseId}`,
    async (store) => {
      const logs = await store.logsWithAttribute('e2e_case', caseId);
      return countBy(logs, 'e2e_seq').distinct >= count ? logs : undefined;
    },
    timeoutMs,
  );
  return Object.fromEntries(found.map(([store, logs]) => [store.name, countBy(logs, 'e2e_seq')]));
}

/**
 * Each record stored once, in every backend: rows (JSONL lines) = records = count. PostgreSQL and
 * Elasticsearch write idempotently on the record id; the JSONL files get each record once because the
 * ingest's dedupe window drops what a page re-sends (a batch replayed after an unconfirmed beacon).
 */
function expectDeliveredOnce(counts: Record<string, Counts>, count: number): void {
  for (const [name, c] of Object.entries(counts)) {
    expect({ backend: name, rows: c.rows, records: c.records, distinct: c.distinct, duplicated: c.duplicated.slice(0, 10) }).toEqual({
      backend: name,
      rows: count,
      records: count,
      distinct: count,
      duplicated: [],
    });
  }
}

/** Records the demo's ingest did not store again because it had accepted their id (its /health). */
async function duplicatesDropped(): Promise<number> {
  const h = (await (await fetch(`${server().url}/health`)).json()) as { dedupe: { duplicates_dropped: number } };
  return h.dedupe.duplicates_dropped;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'isotel-e2e-'));
  demoOptions = { port: await freePort(), dataDir: join(work, 'data'), logDir: join(work, 'logs'), outFile: join(work, 'demo.out'), backend: 'all' };
  [demo, browser, postgres] = await Promise.all([startDemo(demoOptions), launchChromium(), postgresStore()]);
  stores = [jsonlStore(demoOptions.logDir), postgres, elasticsearchStore()];
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  const problems: unknown[] = [];
  for (const c of contexts.splice(0)) await c.close().catch((err: unknown) => problems.push(err));
  await browser?.close().catch((err: unknown) => problems.push(err));
  await demo?.stop().catch((err: unknown) => problems.push(err));
  await postgres?.close().catch((err: unknown) => problems.push(err));
  const total = ((Date.now() - fileStart) / 1000).toFixed(1);
  console.log(`e2e/demo timings (s): ${timings.map(([n, ms]) => `\n  ${(ms / 1000).toFixed(1).padStart(6)}  ${n}`).join('')}\n  ${total.padStart(6)}  whole file`);
  if (process.env.ISOTEL_E2E_KEEP) console.log(`e2e/demo: work files kept in ${work}`);
  else if (work) rmSync(work, { recursive: true, force: true });
  if (problems.length > 0) throw new Error(`cleanup failed: ${problems.map(String).join('; ')}`);
});

beforeEach(() => {
  testStart = Date.now();
});

afterEach((ctx) => {
  timings.push([ctx.task.name, Date.now() - testStart]);
});

describe('the demo, in Chromium, with every backend', () => {
  it('links the browser fetch span as the parent of the server span, and the server logs to that trace, in every backend', async () => {
    const page = await openDemo(await newContext(), server().url);
    const traceId = await calculate(page);
    calculateTrace = traceId;

    const found = await inEveryStore(`the browser and server spans of trace ${traceId}`, async (store) => {
      const spans = await store.spansOfTrace(traceId);
      const client = spans.find((s) => s.service === 'demo-web' && s.kind === 'CLIENT');
      const serverSpan = spans.find((s) => s.service === 'demo-api' && s.kind === 'SERVER');
      const logs = await store.logsOfTrace(traceId);
      return client && serverSpan && logs.some((l) => l.body === 'request completed') ? { spans, client, serverSpan, logs } : undefined;
    });
    for (const [store, { spans, client, serverSpan, logs }] of found) {
      expect({ backend: store.name, trace: serverSpan.trace_id, parent: serverSpan.parent_span_id }).toEqual({ backend: store.name, trace: client.trace_id, parent: client.span_id });
      expect(serverSpan.name).toBe('GET /api/price/100');
      const calc = spans.find((s) => s.name === 'calculate_price') as StoredSpan;
      expect(calc?.parent_span_id).toBe(serverSpan.span_id);

      const serverLogs = logs.filter((l: StoredLog) => l.service === 'demo-api');
      expect(serverLogs.map((l) => l.body)).toEqual(expect.arrayContaining(['Calculating price', 'Price calculated', 'request completed']));
      const spanIds = new Set(spans.map((s) => s.span_id));
      for (const l of serverLogs) expect({ backend: store.name, body: l.body, inTrace: spanIds.has(l.span_id ?? '') }).toEqual({ backend: store.name, body: l.body, inTrace: true });
    }
    expect(pageErrors).toEqual([]);
  });

  it("links the page's document load span to the server trace that rendered the page (Server-Timing)", async () => {
    const page = await (await newContext()).newPage();
    const response = await page.goto(`${server().url}/`);
    const serverTiming = response?.headers()['server-timing'] ?? '';
    const m = /traceparent;desc="?00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}/.exec(serverTiming);
    expect(m, `Server-Timing of the page: ${serverTiming}`).not.toBeNull();
    const [, pageTrace, pageSpan] = m as RegExpExecArray;

    const found = await inEveryStore(`the documentLoad span linked to ${pageTrace}`, async (store) => {
      const docLoad = (await store.spansWithAttribute('isotel.server.trace_id', pageTrace)).find((s) => s.name === 'documentLoad');
      const rendered = (await store.spansOfTrace(pageTrace)).find((s) => s.span_id === pageSpan);
      return docLoad && rendered ? { docLoad, rendered } : undefined;
    });
    for (const [store, { docLoad, rendered }] of found) {
      expect({ backend: store.name, service: docLoad.service, links: docLoad.links }).toEqual({
        backend: store.name,
        service: 'demo-web',
        links: expect.arrayContaining([{ trace_id: pageTrace, span_id: pageSpan }]),
      });
      expect({ backend: store.name, service: rendered.service, kind: rendered.kind, name: rendered.name }).toEqual({ backend: store.name, service: 'demo-api', kind: 'SERVER', name: 'GET /' });
    }
  });

  it('delivers 300 records logged as the page closes at once: the beacon carries what fits, the next visit the rest, none twice', async () => {
    const caseId = `${RUN}-close`;
    const context = await newContext();
    const page = await openDemo(context, server().url);
    const duplicatesBefore = await duplicatesDropped();
    await logMarked(page, caseId, 0, 300);
    // No wait: the page closes while its IndexedDB transaction may still be open. What fits the keepalive budget
    // goes by beacon; the rest is in IndexedDB or, if that write had not committed, in the page-close rescue
    // (localStorage), and the next visit sends it.
    const closed = page.waitForEvent('close');
    await page.close({ runBeforeUnload: true });
    await closed;
    const beforeReopen = await waitFor('beaconed records', async () => {
      const n = (await postgres.logsWithAttribute('e2e_case', caseId)).length;
      return n > 0 ? n : undefined;
    }, { timeoutMs: 5_000 }).catch(() => 0);
    console.log(`close test: ${beforeReopen} of 300 records arrived by beacon before the page was opened again`);
    expect(beforeReopen).toBeGreaterThan(0);

    const again = await openDemo(context, server().url);
    const counts = await deliveredEverywhere(caseId, 300);
    const summary = Object.entries(counts).map(([name, c]) => `${name} ${c.rows} rows/${c.records} records`);
    console.log(`close test: stored after the next visit: ${summary.join(', ')}; ${(await duplicatesDropped()) - duplicatesBefore} re-sent copies dropped by the ingest`);
    expectDeliveredOnce(counts, 300);
    const h = await waitIdle(again);
    expect(h.dropped).toEqual({ total: 0, reasons: {} });
  });

  it('two tabs of the app share one queue and one sender: 2 x 100 records, each stored once', async () => {
    const caseId = `${RUN}-tabs`;
    const context = await newContext();
    const [a, b] = [await openDemo(context, server().url), await openDemo(context, server().url)];
    const before = await duplicatesDropped();
    await Promise.all([logMarked(a, `${caseId}`, 0, 100), logMarked(b, `${caseId}`, 100, 100)]);
    const counts = await deliveredEverywhere(caseId, 200);
    expectDeliveredOnce(counts, 200);
    // Each record went out once (Web Locks: one sender for the origin's shared queue): a record sent by both
    // tabs would reach the ingest twice, and its dedupe window would count the second copy.
    expect(await duplicatesDropped()).toBe(before);
    await context.close();
  });

  it('keeps 200 records logged during a 10 s network outage and delivers each once when the network is back', async () => {
    const caseId = `${RUN}-offline`;
    const context = await newContext();
    const page = await openDemo(context, server().url);
    await waitIdle(page);
    await context.setOffline(true);
    for (let second = 0; second < 10; second++) {
      await logMarked(page, caseId, second * 20, 20);
      await page.waitForTimeout(1_000); // the 10 s outage itself
    }
    expect((await health(page)).queued).toBeGreaterThanOrEqual(200);
    expect(await postgres.logsWithAttribute('e2e_case', caseId)).toEqual([]);
    const online = Date.now();
    await context.setOffline(false);
    const counts = await deliveredEverywhere(caseId, 200);
    console.log(`offline test: 200 records in every backend ${((Date.now() - online) / 1000).toFixed(1)} s after the network came back`);
    expectDeliveredOnce(counts, 200);
    expect((await waitIdle(page)).dropped.total).toBe(0);
  });

  it('replays records queued before a reload exactly once (the demo offline toggle)', async () => {
    const caseId = `${RUN}-reload`;
    const context = await newContext();
    const page = await openDemo(context, server().url);
    await waitIdle(page);
    try {
      await page.check('#offline');
      await waitFor('the simulated outage', async () => ((await (await fetch(`${server().url}/api/offline`)).json()) as { offline: boolean }).offline);
      await logMarked(page, caseId, 0, 50);
      const flushed = await page.evaluate(() => window.telemetry?.flush());
      expect(flushed).toMatchObject({ done: false });
      expect(flushed?.queued).toBeGreaterThanOrEqual(50);

      await page.reload();
      await page.waitForFunction(() => window.telemetry !== undefined);
      // The page shows the server's outage state after the reload too.
      await page.waitForFunction(() => (document.getElementById('offline') as HTMLInputElement).checked, undefined, { timeout: 5_000 });
      expect(await postgres.logsWithAttribute('e2e_case', caseId)).toEqual([]);
      await page.uncheck('#offline');
    } finally {
      await setDemoOffline(server(), false);
    }
    const counts = await deliveredEverywhere(caseId, 50);
    expectDeliveredOnce(counts, 50);
    expect((await waitIdle(page)).dropped.total).toBe(0);
  });

  it('delivers records logged while the ingest process is down once it is back (killed, restarted on the same port and data)', async () => {
    const caseId = `${RUN}-restart`;
    const context = await newContext();
    const page = await openDemo(context, server().url);
    await waitIdle(page);
    await server().kill();
    demo = undefined;
    await logMarked(page, caseId, 0, 25);
    // The page tries, fails and backs off before the rest is logged and the server comes back.
    await waitFor('the page to fail a send to the stopped ingest', async () => /network/i.test((await health(page)).lastError ?? ''), { timeoutMs: 15_000 });
    await logMarked(page, caseId, 25, 25);
    await waitFor('the page to queue the 50 records', async () => (await health(page)).queued >= 50);
    const restarted = Date.now();
    demo = await startDemo(demoOptions);
    const counts = await deliveredEverywhere(caseId, 50, 90_000);
    console.log(`restart test: 50 records in every backend ${((Date.now() - restarted) / 1000).toFixed(1)} s after the restart began`);
    expectDeliveredOnce(counts, 50);
    expect((await waitIdle(page)).dropped.total).toBe(0);
  });

  it('draws the calculate trace in the viewer with browser and server rows and its logs (screenshots in test-results/screenshots)', async () => {
    const context = await newContext();
    const page = await openDemo(context, server().url);
    const traceId = await calculate(page);
    await page.waitForFunction(
      () => Number(document.getElementById('delivered')?.textContent) >= 2 && document.getElementById('queued')?.textContent === '0',
      undefined,
      { timeout: 15_000 },
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-page.png') });

    const shown = calculateTrace ?? traceId;
    // The viewer reads the query backend (the JSONL files): wait until both sides of the trace are there.
    await waitFor('both sides of the trace in the query backend', async () => {
      const res = await fetch(`${server().url}/v1/traces/${shown}`);
      if (!res.ok) return undefined;
      const { spans } = (await res.json()) as { spans: Array<{ resource?: Record<string, unknown> }> };
      const services = new Set(spans.map((s) => s.resource?.['service.name']));
      return services.has('demo-web') && services.has('demo-api');
    }, { detail: demoTail });

    const viewer = await context.newPage();
    viewer.on('pageerror', (err) => pageErrors.push(`${viewer.url()}: ${err.message}`));
    await viewer.goto(`${server().url}/ui/#/trace/${shown}`);
    await viewer.waitForSelector('.waterfall .span-row', { timeout: 15_000 });
    const services = await viewer.locator('.span-row .service-name').allTextContents();
    expect(services.filter((s) => s === 'demo-web').length).toBeGreaterThanOrEqual(1);
    expect(services.filter((s) => s === 'demo-api').length).toBeGreaterThanOrEqual(2); // server span, calculate_price
    // The trace's logs are interleaved with its spans on the time axis.
    const logBodies = await viewer.locator('.waterfall .log-row .log-body').allTextContents();
    expect(logBodies).toEqual(expect.arrayContaining(['Calculating price', 'Price calculated', 'request completed']));
    await viewer.screenshot({ path: join(SCREENSHOTS, 'trace-viewer.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('lists the failing call in the explorer as an error, and its trace shows the error span and the ERROR log', async () => {
    const context = await newContext();
    const page = await openDemo(context, server().url);
    await page.click('#fail');
    const traceId = await lastTraceId(page);
    const list = await context.newPage();
    list.on('pageerror', (err) => pageErrors.push(`${list.url()}: ${err.message}`));
    const item = `.trace-list > li.has-error a[href="#/trace/${traceId}"]`;
    await waitFor('the failing trace listed as an error in the explorer', async () => {
      await list.goto(`${server().url}/ui/#/search?service=demo-api&operation=${encodeURIComponent('GET /api/fail')}&lookback=1h`);
      await list.reload(); // a hash change alone does not search again
      return list.waitForSelector(item, { timeout: 2_000 }).then(() => true, () => undefined);
    });
    await list.click(item);
    await list.waitForSelector('.waterfall .span-row', { timeout: 15_000 });
    expect(await list.locator('.span-row.is-error .service-name').allTextContents()).toContain('demo-api');
    expect(await list.locator('.log-row.sev-error .log-body').allTextContents()).toContain('Checkout failed');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('shows a log body holding markup as text in the viewer, and runs none of it', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const traceId = randomHex(16);
    const spanId = randomHex(8);
    const now = Date.now();
    // Any OTLP client can write to the ingest: the viewer must treat every body as untrusted text.
    await postOtlp(`${server().url}/v1/traces`, oneSpan({ traceId, spanId, name: 'checkout <b>bold</b>', service: 'e2e-hostile', startMs: now - 20, durationMs: 20 }));
    await postOtlp(`${server().url}/v1/logs`, oneLog({ traceId, spanId, body: hostile, service: 'e2e-hostile', timeMs: now - 10, attributes: { comment: '<script>alert(2)</script>' } }));
    await waitFor('the hostile log in the query backend', async () => {
      const res = await fetch(`${server().url}/v1/traces/${traceId}`);
      return res.ok && ((await res.json()) as { logs: unknown[] }).logs.length === 1;
    }, { detail: demoTail });

    const page = await (await newContext()).newPage();
    const dialogs: string[] = [];
    const requests: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(`${server().url}/ui/#/trace/${traceId}`);
    await page.waitForSelector('.waterfall .span-row', { timeout: 15_000 });
    await page.waitForLoadState('networkidle'); // an injected <img src=x> would have loaded (and failed) by now

    expect(await page.locator('.waterfall .log-row .log-body').allTextContents()).toEqual([hostile]);
    expect(await page.locator('.span-row .op-name').allTextContents()).toEqual(['checkout <b>bold</b>']);
    expect(await page.evaluate(() => document.querySelectorAll('img, .waterfall b, .waterfall script').length)).toBe(0);
    expect(requests.filter((p) => p.endsWith('/x'))).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  it('takes its backends from YAML with --config (the `isotel serve` format) and answers trace queries from the configured backend', async () => {
    const dir = mkdtempSync(join(work, 'yaml-'));
    const yaml = join(dir, 'isotel.yaml');
    const table = `isotel_demo_yaml_${process.pid}`;
    writeFileSync(yaml, [
      'logger:',
      '  backends:',
      '    - backend_type: postgres',
      `      config: { host: "\${PGHOST:-127.0.0.1}", database: test, user: postgres, table_name: ${table}_logs, spans_table_name: ${table}_spans }`,
      'ingest:',
      '  query_backend: postgres',
      '',
    ].join('\n'));
    const db = new pg.Client(PG_CONFIG);
    await db.connect();
    const yamlDemo = await startDemo({ port: await freePort(), dataDir: join(dir, 'data'), logDir: join(dir, 'logs'), outFile: join(dir, 'demo.out'), config: yaml });
    try {
      const price = await (await fetch(`${yamlDemo.url}/api/price/100?discount=0.15`)).json();
      expect(price.price).toBe(85);
      const listed = await waitFor('the API trace in the YAML-configured backend', async () => {
        const { traces } = await (await fetch(`${yamlDemo.url}/v1/traces?limit=5`)).json();
        return traces.find((t: { root_name: string }) => t.root_name === 'GET /api/price/100');
      });
      const trace = await (await fetch(`${yamlDemo.url}/v1/traces/${listed.trace_id}`)).json();
      expect(trace.spans.map((s: { name: string }) => s.name).sort()).toEqual(['GET /api/price/100', 'calculate_price']);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table}_logs WHERE trace_id = $1`, [listed.trace_id]);
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      await yamlDemo.stop();
      await db.query(`DROP TABLE IF EXISTS ${table}_logs, ${table}_spans`);
      await db.end();
    }
  });
});
