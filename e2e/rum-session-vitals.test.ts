/**
 * Sessions and web vitals of `isotel/browser` in real Chromium, against a stand-in ingest (node:http,
 * recording every OTLP request). The page loads the script-tag build made here from the source
 * (src/browser/global.ts, esbuild, es2019 as in `npm run size`), so this file does not need `npm run build`.
 */
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBoth, listenAndLaunch } from './helpers/browser.js';
import { waitFor } from './helpers/wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_TRACE = '0af7651916cd43dd8448eb211c80319c';

type Value = { stringValue?: string; doubleValue?: number; intValue?: string | number };
interface Log {
  body?: { stringValue?: string };
  eventName?: string;
  traceId?: string;
  attributes: Array<{ key: string; value: Value }>;
}
interface Span {
  name: string;
  traceId: string;
  spanId: string;
  attributes: Array<{ key: string; value: Value }>;
}

let server: Server;
let origin = '';
let browser: Browser;
let script = '';
const logs: Log[] = [];
const spans: Span[] = [];
const seen = new Set<string>();
let doubled = 0;
/** True the first time an id arrives; counts the rest. */
const first = (id: string): boolean => (seen.has(id) ? (doubled++, false) : (seen.add(id), true));

/** The page: init (with a short session timeout when asked), a heading (the LCP element), a late banner (CLS), a button with a 120 ms handler (INP counts interactions over 40 ms). */
function page(timeoutMs: string | null, rate: string | null): string {
  const session = (timeoutMs ? `, sessionInactivityTimeoutMs: ${Number(timeoutMs)}` : '') + (rate ? `, sampleRate: ${Number(rate)}` : '');
  return `<!doctype html><html><head><script src="/isotel.js"></script><script>
window.telemetry = Isotel.init({ endpoint: location.origin + '/ingest', serviceName: 'rum-e2e', instrumentDocumentLoad: true, batchDelayMs: 100${session} });
</script></head><body>
<h1 id="title" style="font-size:64px">isotel RUM e2e</h1>
<div id="slot"></div>
<p>Some text that a late banner pushes down.</p>
<button id="go" onclick="const end = performance.now() + 120; while (performance.now() < end); this.textContent = 'clicked'">go</button>
<script>setTimeout(() => { document.getElementById('slot').innerHTML = '<div style="height:200px;background:#eee">banner</div>'; }, 300);</script>
</body></html>`;
}

const attr = (x: { attributes: Log['attributes'] }, key: string): string | number | undefined => {
  const v = x.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? v?.doubleValue ?? (v?.intValue === undefined ? undefined : Number(v.intValue));
};

beforeAll(async () => {
  const out = await build({
    entryPoints: [join(ROOT, 'src/browser/global.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2019',
    write: false,
    logLevel: 'error',
    logOverride: { bigint: 'silent' },
  });
  script = out.outputFiles[0].text;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (url.pathname === '/isotel.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      if (url.pathname.startsWith('/ingest/')) {
        const json = JSON.parse(body);
        // Deduped by id, as the ingest does: a record whose fetch the server answered while its page was
        // reloading is sent again by the next page (at least once; README, the unload policy).
        for (const rl of json.resourceLogs ?? []) for (const sl of rl.scopeLogs) logs.push(...sl.logRecords.filter((l: Log) => first(`log ${attr(l, 'log.record.uid')}`)));
        for (const rs of json.resourceSpans ?? []) for (const ss of rs.scopeSpans) spans.push(...ss.spans.filter((x: Span) => first(`span ${x.traceId} ${x.spanId}`)));
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
      res
        .writeHead(200, { 'content-type': 'text/html', 'server-timing': `traceparent;desc="00-${SERVER_TRACE}-b7ad6b7169203331-01"` })
        .end(page(url.searchParams.get('timeout'), url.searchParams.get('rate')));
    });
  });
  ({ origin, browser } = await listenAndLaunch(server));
});

afterAll(() => closeBoth(browser, server));

async function open(context: BrowserContext, query = ''): Promise<Page> {
  const p = await context.newPage();
  await p.goto(`${origin}/${query}`);
  await p.waitForFunction(() => (window as unknown as { telemetry?: unknown }).telemetry !== undefined);
  return p;
}

const sessionOf = (p: Page): Promise<string> => p.evaluate(() => (window as unknown as { telemetry: { sessionId: string } }).telemetry.sessionId);
const log = (p: Page, message: string): Promise<void> =>
  p.evaluate((m) => (window as unknown as { telemetry: { logger: { info(m: string): void } } }).telemetry.logger.info(m), message);
const received = (body: string): Promise<Log> => waitFor(`the log "${body}"`, () => logs.find((l) => l.body?.stringValue === body));

/**
 * Makes the page hidden, as a tab switch does (web-vitals reports CLS, INP and LCP then), and visible again,
 * twice: web-vitals reads interactions in an idle callback, which headless Chromium had not run when the
 * page first hid (the first hide processes the click, the second reports INP: measured with web-vitals'
 * own IIFE build too).
 */
async function hideAndShow(p: Page): Promise<void> {
  await p.evaluate(() => {
    const set = (state: string): void => {
      Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
      Object.defineProperty(document, 'hidden', { value: state === 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    };
    for (let i = 0; i < 2; i++) {
      set('hidden');
      set('visible');
    }
  });
}

describe('sessions and web vitals in Chromium', () => {
  it('records LCP, FCP, TTFB, CLS and INP as browser.web_vital events in the documentLoad trace, with the session id', async () => {
    const context = await browser.newContext();
    const p = await open(context);
    const sessionId = await sessionOf(p);
    await p.waitForTimeout(600); // the banner's layout shift
    await p.click('#go'); // an interaction: INP (and it ends LCP)
    await p.waitForFunction(() => document.getElementById('go')?.textContent === 'clicked');
    await p.waitForTimeout(300); // the next paint, which ends the interaction's event timing entry
    await hideAndShow(p);
    const mine = () => logs.filter((l) => l.eventName === 'browser.web_vital' && attr(l, 'session.id') === sessionId);
    const vitals = await waitFor('the five web vitals', () => {
      const names = new Set(mine().map((l) => attr(l, 'browser.web_vital.name')));
      return ['lcp', 'fcp', 'ttfb', 'cls', 'inp'].every((n) => names.has(n)) ? mine() : undefined;
    }, { detail: () => `seen: ${JSON.stringify(mine().map((l) => [attr(l, 'browser.web_vital.name'), attr(l, 'browser.web_vital.value')]))}` });
    const doc = await waitFor('the documentLoad span', () => spans.find((s) => s.name === 'documentLoad' && attr(s, 'session.id') === sessionId));
    for (const v of vitals) {
      expect(typeof attr(v, 'browser.web_vital.value')).toBe('number');
      expect(attr(v, 'browser.web_vital.rating')).toMatch(/^(good|needs-improvement|poor)$/);
      expect(attr(v, 'browser.web_vital.id')).toMatch(/^v\d+-\d+-\d+$/);
      expect(attr(v, 'browser.web_vital.navigation_type')).toBe('navigate');
      expect(v.traceId).toBe(doc.traceId);
    }
    expect(Number(attr(vitals.find((v) => attr(v, 'browser.web_vital.name') === 'cls')!, 'browser.web_vital.value'))).toBeGreaterThan(0);
    // The click's 120 ms handler is a long animation frame, attributed to the button's listener.
    const loaf = await waitFor('the click handler\'s long animation frame', () =>
      logs.find((l) => l.eventName === 'browser.long_animation_frame' && attr(l, 'session.id') === sessionId && String(attr(l, 'browser.long_animation_frame.script.invoker')).includes('go')),
    );
    expect(Number(attr(loaf, 'browser.long_animation_frame.duration'))).toBeGreaterThanOrEqual(100);
    expect(attr(loaf, 'browser.long_animation_frame.script.invoker_type')).toBe('event-listener');
    // Hiding the page summarized its resources: the SDK's script, and not its own sends to the ingest.
    const summary = await waitFor('the resource summary', () => logs.find((l) => l.eventName === 'browser.resource_summary' && attr(l, 'session.id') === sessionId));
    expect(attr(summary, 'browser.resources.script.count')).toBe(1);
    expect(attr(summary, 'browser.resources.fetch.count')).toBeUndefined();
    await context.close();
  });

  it('keeps one session across a reload and for two tabs, on logs and spans, with one session.start', async () => {
    const context = await browser.newContext();
    const a = await open(context);
    const id = await sessionOf(a);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    // The first load's documentLoad span ends after the load event: reloading before it would abort it.
    const docsOf = () => spans.filter((s) => s.name === 'documentLoad' && attr(s, 'session.id') === id);
    await waitFor('the first documentLoad span', () => docsOf().length >= 1 || undefined);
    await a.reload();
    await a.waitForFunction(() => (window as unknown as { telemetry?: unknown }).telemetry !== undefined);
    expect(await sessionOf(a)).toBe(id);
    const b = await open(context);
    expect(await sessionOf(b)).toBe(id);
    await log(a, 'from tab a');
    await log(b, 'from tab b');
    expect(attr(await received('from tab a'), 'session.id')).toBe(id);
    expect(attr(await received('from tab b'), 'session.id')).toBe(id);
    const docs = await waitFor('three documentLoad spans', () => (docsOf().length === 3 ? docsOf() : undefined), {
      detail: () => `seen ${docsOf().length}: ${JSON.stringify(docsOf().map((s) => [s.traceId, s.spanId]))}; all documentLoad spans: ${spans.filter((s) => s.name === 'documentLoad').length}; records received twice: ${doubled}`,
    });
    expect(docs).toHaveLength(3);
    expect(logs.filter((l) => l.eventName === 'session.start' && attr(l, 'session.id') === id)).toHaveLength(1);
    await context.close();
  });

  it('rolls the session over after the inactivity timeout: session.end, session.start and session.previous_id', async () => {
    const context = await browser.newContext();
    // 3 s of inactivity end it; each step below reads the page right after it acts, so a loaded machine's
    // slow deliveries do not count as inactivity.
    const p = await open(context, '?timeout=3000');
    const first = await sessionOf(p);
    await log(p, 'in the first session');
    await p.waitForTimeout(4_500);
    await log(p, 'in the second session');
    const current = await sessionOf(p);
    expect(attr(await received('in the first session'), 'session.id')).toBe(first);
    const after = await received('in the second session');
    const second = String(attr(after, 'session.id'));
    expect(second).toMatch(/^[0-9a-f]{32}$/);
    expect(second).not.toBe(first);
    expect(attr(after, 'session.previous_id')).toBe(first);
    expect(current).toBe(second);
    const end = await waitFor('session.end', () => logs.find((l) => l.eventName === 'session.end' && attr(l, 'session.id') === first));
    const start = await waitFor('session.start', () => logs.find((l) => l.eventName === 'session.start' && attr(l, 'session.id') === second));
    expect(end).toBeDefined();
    expect(attr(start, 'session.previous_id')).toBe(first);
    await context.close();
  });

  it('decides sampling once per session: a tab joining an unsampled session records no spans (logs kept), a new session decides again', async () => {
    const context = await browser.newContext();
    const probe = (p: Page, name: string): Promise<void> =>
      p.evaluate((n) => (window as unknown as { telemetry: { startSpan(n: string): { end(): void } } }).telemetry.startSpan(n).end(), name);
    const flush = (p: Page): Promise<unknown> => p.evaluate(() => (window as unknown as { telemetry: { flush(): Promise<unknown> } }).telemetry.flush());
    const a = await open(context, '?timeout=3000&rate=0'); // this session's decision: not sampled
    const id = await sessionOf(a);
    const b = await open(context, '?timeout=3000&rate=1'); // joins it, and its decision
    expect(await sessionOf(b)).toBe(id);
    await probe(a, 'probe-a');
    await probe(b, 'probe-b');
    await log(a, 'unsampled a');
    await log(b, 'unsampled b');
    expect(attr(await received('unsampled a'), 'session.id')).toBe(id);
    expect(attr(await received('unsampled b'), 'session.id')).toBe(id);
    await flush(a);
    await flush(b);
    expect(spans.filter((x) => x.name === 'probe-a' || x.name === 'probe-b')).toEqual([]);
    await b.waitForTimeout(4_500); // the session ends; tab b's next span starts one, decided with its rate (1)
    await probe(b, 'probe-c');
    const c = await waitFor('the span of the new session', () => spans.find((x) => x.name === 'probe-c'));
    expect(attr(c, 'session.id')).not.toBe(id);
    expect(attr(c, 'session.previous_id')).toBe(id);
    await context.close();
  });
});
