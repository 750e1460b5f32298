/**
 * The browser SDK in real Chromium against a stand-in ingest (node:http, recording every request): the shipped
 * script-tag files (dist/browser/*.global.js), so this file tests the SDK alone as users get it. The full
 * pipeline against the real ingest and backends is e2e/demo.test.ts.
 */
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser.js';
import { storedBodies } from './helpers/stored-bodies.js';
import { waitFor } from './helpers/wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const SERVER_SPAN = 'b7ad6b7169203331';

interface Received {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

interface OtlpKV {
  key: string;
  value: { stringValue?: string };
}

let server: Server;
let origin = '';
let browser: Browser;
const scripts: Record<string, string> = {};
const received: Received[] = [];
/** What the stand-in ingest answers (a test sets 503 to keep a page from sending by fetch). */
let ingestStatus = 200;

async function bundle(entry: string): Promise<string> {
  const r = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    format: 'iife', // the entry assigns globalThis.Isotel
    platform: 'browser',
    // As the shipped zone build (isotel/browser/zone): native ES2022 except async/await, which is lowered to
    // generators so zone.js keeps the trace context across the SDK's own awaits and the page's.
    target: 'es2022',
    supported: { 'async-await': false, 'async-generator': false, 'for-await': false },
    write: false,
    logLevel: 'error',
    logOverride: { bigint: 'silent' },
  });
  return r.outputFiles[0].text;
}

function page(build: string, extra: string, batchDelayMs: number, cors: string[]): string {
  return `<!doctype html><html><head><script src="/isotel.js?build=${build}"></script><script>
window.telemetry = Isotel.init({
  endpoint: location.origin + '/ingest', serviceName: 'browser-e2e', ingestKey: 'k1',
  instrumentDocumentLoad: true, batchDelayMs: ${batchDelayMs}, propagateTraceHeaderCorsUrls: ${JSON.stringify(cors)},
});
${extra}
</script></head><body>isotel e2e</body></html>`;
}

beforeAll(async () => {
  // The script-tag files as shipped (npm test builds them first).
  for (const [name, file] of [['full', 'isotel.global.js'], ['lite', 'isotel-lite.global.js'], ['zone', 'isotel-zone.global.js']] as const) {
    const path = join(ROOT, 'dist', 'browser', file);
    if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` before the browser tests (npm test does)`);
    scripts[name] = readFileSync(path, 'utf8');
  }
  scripts.context = await bundle('e2e/helpers/context-page.ts');
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (url.pathname === '/isotel.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(scripts[url.searchParams.get('build') ?? 'full']);
      } else if (url.pathname.startsWith('/ingest/')) {
        if (ingestStatus === 503) res.writeHead(503, { 'retry-after': '3600' }).end();
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else if (url.pathname === '/context') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/isotel.js?build=context"></script>');
      } else if (url.pathname === '/api/data') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else {
        res
          .writeHead(200, { 'content-type': 'text/html', 'server-timing': `traceparent;desc="00-${SERVER_TRACE}-${SERVER_SPAN}-01"` })
          .end(page(url.searchParams.get('build') ?? 'full', url.searchParams.get('extra') ?? '', Number(url.searchParams.get('delay') ?? 200), url.searchParams.getAll('cors')));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Two cross-origin APIs (other ports): both allow the page's CORS requests with trace headers; only the
  // first is in the page's propagateTraceHeaderCorsUrls.
  for (const name of ['allowed', 'other'] as const) {
    const api = createServer((req, res) => {
      const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'traceparent, tracestate, content-type', 'access-control-allow-methods': 'GET, POST' };
      if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
      crossOrigin.push({ api: name, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json', ...cors }).end('{"ok":true}');
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    apis[name] = api;
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  for (const api of Object.values(apis)) await new Promise((r) => api.close(r));
});

const apis: Record<string, Server> = {};
const crossOrigin: Array<{ api: 'allowed' | 'other'; headers: IncomingMessage['headers'] }> = [];
const apiUrl = (name: string): string => `http://127.0.0.1:${(apis[name].address() as AddressInfo).port}`;

const logsIn = (r: Received) =>
  (JSON.parse(r.body).resourceLogs ?? []).flatMap((rl: { scopeLogs: Array<{ logRecords: Array<{ body?: { stringValue?: string }; attributes: OtlpKV[]; traceId?: string }> }> }) =>
    rl.scopeLogs.flatMap((s) => s.logRecords),
  );
const spansIn = (r: Received) =>
  (JSON.parse(r.body).resourceSpans ?? []).flatMap((rs: { scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; links?: Array<{ traceId: string; spanId: string }> }> }> }) =>
    rs.scopeSpans.flatMap((s) => s.spans),
  );

const uid = (l: { attributes: OtlpKV[] }) => l.attributes.find((a) => a.key === 'log.record.uid')?.value.stringValue;
const bodies = (path: string) => received.filter((r) => r.path === path);

async function open(build: 'full' | 'lite' | 'zone', extra = '', batchDelayMs = 200, cors: string[] = []): Promise<Page> {
  const context = await browser.newContext();
  const p = await context.newPage();
  const corsQuery = cors.map((c) => `&cors=${encodeURIComponent(c)}`).join('');
  await p.goto(`${origin}/?build=${build}&delay=${batchDelayMs}&extra=${encodeURIComponent(extra)}${corsQuery}`);
  await p.waitForFunction(() => (window as unknown as { telemetry?: unknown }).telemetry !== undefined);
  return p;
}

describe('isotel/browser in Chromium', () => {
  // A test that sets the stand-in ingest down must not leave it down for the next ones when it fails.
  afterEach(() => {
    ingestStatus = 200;
  });

  it('delivers logs, fetch spans with traceparent, and a documentLoad span linked to the server trace', async () => {
    const p = await open(
      'full',
      `fetch('/api/data?case=trace');
       const xhr = new XMLHttpRequest(); xhr.open('GET', '/api/data?case=xhr'); xhr.send();
       telemetry.logger.info('hello from the page', { case: 'trace' });`,
    );
    const logs = await waitFor('the page log', () => {
      const found = bodies('/ingest/v1/logs').flatMap(logsIn).filter((l: { body?: { stringValue?: string } }) => l.body?.stringValue === 'hello from the page');
      return found.length > 0 ? found : undefined;
    });
    expect(uid(logs[0])).toMatch(/^[0-9A-Z]{24}$/);
    const api = await waitFor('the API call', () => received.find((r) => r.path === '/api/data' && r.query.get('case') === 'trace'));
    expect(api.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const xhr = await waitFor('the XHR call', () => received.find((r) => r.path === '/api/data' && r.query.get('case') === 'xhr'));
    expect(xhr.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const spans = await waitFor('fetch and documentLoad spans', () => {
      const all = bodies('/ingest/v1/traces').flatMap(spansIn);
      const has = (tp: string | string[] | undefined) => all.some((s: { traceId: string }) => String(tp).includes(s.traceId));
      return all.some((s: { name: string }) => s.name === 'documentLoad') && has(api.headers.traceparent) && has(xhr.headers.traceparent) ? all : undefined;
    });
    const doc = spans.find((s: { name: string }) => s.name === 'documentLoad');
    expect(doc.links).toEqual([expect.objectContaining({ traceId: SERVER_TRACE, spanId: SERVER_SPAN })]);
    // The SDK's own requests are not traced and carry no traceparent.
    expect(bodies('/ingest/v1/logs').every((r) => r.headers.traceparent === undefined)).toBe(true);
    expect(spans.every((s: { name: string }) => !/ingest/.test(s.name))).toBe(true);
    const req = bodies('/ingest/v1/logs')[0];
    expect(req.headers['x-isotel-ingest-key']).toBe('k1');
    expect(Number(req.query.get('sent_at'))).toBeGreaterThan(Date.now() - 60_000);
    await p.context().close();
  });

  it("stamps url.full with the address as it is at the call: right after pushState and replaceState (document.URL), in lite and full", async () => {
    for (const build of ['lite', 'full'] as const) {
      const p = await open(
        build,
        `telemetry.logger.info('${build} before');
         history.pushState({}, '', '/orders/42?token=t0k');
         telemetry.logger.info('${build} after push');
         history.replaceState({}, '', '/orders/43');
         telemetry.logger.info('${build} after replace');`,
      );
      const urls = await waitFor(`the ${build} logs`, () => {
        const found = new Map<string, string | undefined>();
        for (const l of bodies('/ingest/v1/logs').flatMap(logsIn) as Array<{ body?: { stringValue?: string }; attributes: OtlpKV[] }>) {
          const body = l.body?.stringValue ?? '';
          if (body.startsWith(`${build} `)) found.set(body, l.attributes.find((a) => a.key === 'url.full')?.value.stringValue);
        }
        return found.size === 3 ? found : undefined;
      });
      expect(new URL(urls.get(`${build} before`)!).pathname).toBe('/');
      expect(urls.get(`${build} after push`)).toBe(`${origin}/orders/42?token=[REDACTED]`);
      expect(urls.get(`${build} after replace`)).toBe(`${origin}/orders/43`);
      await p.context().close();
    }
  });

  it('beacons what is pending when the page goes away and re-sends it on the next load', async () => {
    // The ingest is down (Retry-After: 1 h) while the page lives, so nothing goes by fetch: what is queued
    // when the page goes can only leave by beacon.
    ingestStatus = 503;
    const p = await open('full', '', 60_000);
    const health = () => p.evaluate(() => (window as unknown as { telemetry: { health(): { lastError?: string; inFlight: number } } }).telemetry.health());
    await waitFor('the first send to be refused', async () => {
      const h = await health();
      return h.lastError === 'http_503' && h.inFlight === 0;
    });
    await p.evaluate(() => (window as unknown as { telemetry: { logger: { info(m: string): void } } }).telemetry.logger.info('last words'));
    // Written ahead: the record is in IndexedDB before anything sends it.
    await waitFor('the record in IndexedDB', () => p.evaluate(storedBodies).then((b) => b.includes('last words')));
    ingestStatus = 200;
    await p.evaluate(() => void (location.href = '/?build=full&extra='));
    const since = received.length;
    const beacon = await waitFor(
      'the beacon',
      () => received.find((r) => r.path === '/ingest/v1/logs' && r.query.get('ingest_key') === 'k1' && r.body.includes('last words')),
      { detail: () => received.slice(since).map((r) => `${r.path}?${r.query} ${r.headers['content-type']}`).join('\n') },
    );
    expect(beacon.headers['content-type']).toMatch(/^text\/plain/);
    const id = uid(logsIn(beacon).find((l: { body?: { stringValue?: string } }) => l.body?.stringValue === 'last words'));
    // A beacon is sent, not confirmed: the next page (same origin, same queue) sends it again by fetch.
    await waitFor('the replay by fetch', () =>
      received.find((r) => r.path === '/ingest/v1/logs' && r.query.get('ingest_key') === null && logsIn(r).some((l: { attributes: OtlpKV[] }) => uid(l) === id)),
    );
    await p.context().close();
  });

  it('delivers a burst of 11,000 log calls in about a second whole: none dropped, none twice (lite and full)', async () => {
    for (const build of ['lite', 'full'] as const) {
      const p = await open(build, '', 1_000);
      const since = received.length;
      await p.evaluate(async (tag) => {
        const t = (window as unknown as { telemetry: { logger: { info(m: string, a: object): void } } }).telemetry;
        for (let b = 0; b < 110; b++) {
          for (let i = 0; i < 100; i++) t.logger.info(tag, { cart_items: 3, currency: 'EUR' });
          await new Promise((r) => setTimeout(r, 5));
        }
      }, `burst ${build}`);
      const ids = () => received.slice(since).filter((r) => r.path === '/ingest/v1/logs').flatMap(logsIn).filter((l: { body?: { stringValue?: string } }) => l.body?.stringValue === `burst ${build}`).map(uid);
      await waitFor(`${build}: the burst's 11,000 records at the ingest`, () => ids().length >= 11_000, { timeoutMs: 60_000, detail: () => `${ids().length} received` });
      expect(new Set(ids()).size).toBe(11_000);
      expect(ids()).toHaveLength(11_000);
      const h = await p.evaluate(() => (window as unknown as { telemetry: { health(): { dropped: { total: number } } } }).telemetry.health());
      expect(h.dropped.total).toBe(0);
      await p.context().close();
    }
  });

  it('lets one tab send for all tabs of the origin', async () => {
    const context = await browser.newContext();
    const tabs = [await context.newPage(), await context.newPage()];
    for (const [i, tab] of tabs.entries()) {
      await tab.goto(`${origin}/?build=lite&extra=${encodeURIComponent(`telemetry.logger.info('from tab ${i}')`)}`);
    }
    await waitFor('both tabs logs', () => {
      const all = bodies('/ingest/v1/logs').flatMap(logsIn).map((l: { body?: { stringValue?: string } }) => l.body?.stringValue);
      return all.includes('from tab 0') && all.includes('from tab 1');
    });
    const senders = await Promise.all(tabs.map((t) => t.evaluate(() => (window as unknown as { telemetry: { health(): { sender: boolean } } }).telemetry.health().sender)));
    expect(senders.filter(Boolean)).toHaveLength(1);
    await context.close();
  });

  it('lite: logs without zone.js, tracing or trace headers', async () => {
    const p = await open('lite', `fetch('/api/data?case=lite'); telemetry.logger.warn('lite log');`);
    await waitFor('the lite log', () => bodies('/ingest/v1/logs').flatMap(logsIn).some((l: { body?: { stringValue?: string } }) => l.body?.stringValue === 'lite log'));
    const api = await waitFor('the API call', () => received.find((r) => r.path === '/api/data' && r.query.get('case') === 'lite'));
    expect(api.headers.traceparent).toBeUndefined();
    expect(await p.evaluate(() => typeof (window as unknown as { Zone?: unknown }).Zone)).toBe('undefined');
    await p.context().close();
  });

  it("zone: keeps the app's span active after await fetch, in XHR onload, in fetch().then and in setTimeout, and logs there join its trace", async () => {
    const context = await browser.newContext();
    const p = await context.newPage();
    await p.goto(`${origin}/context`);
    const r = await p.evaluate(() =>
      (window as unknown as { checkContext(): Promise<{ spanId: string; traceId: string; active: Record<string, string>; logs: Array<{ body: unknown; traceId?: string; spanId?: string }> }> }).checkContext(),
    );
    expect(r.active).toEqual({ afterAwait: r.spanId, inXhrOnload: r.spanId, inThen: r.spanId, inTimeout: r.spanId });
    expect(r.logs.map((l) => [l.body, l.traceId, l.spanId])).toEqual([
      ['after await', r.traceId, r.spanId],
      ['in xhr onload', r.traceId, r.spanId],
      ['in then', r.traceId, r.spanId],
      ['in timeout', r.traceId, r.spanId],
    ]);
    expect(await p.evaluate(() => typeof (window as unknown as { Zone?: unknown }).Zone)).toBe('function');
    // Each call carried a traceparent of the app's trace, naming its own CLIENT span (a child of the app's).
    for (const c of ['context-await', 'context-xhr', 'context-then', 'context-timeout']) {
      const call = received.find((q) => q.path === '/api/data' && q.query.get('case') === c);
      expect(call?.headers.traceparent).toMatch(new RegExp(`^00-${r.traceId}-(?!${r.spanId})[0-9a-f]{16}-01$`));
    }
    await context.close();
  });

  it('zone-free: a fetch and a log inside withSpan, before and after await, are the span\'s children; code outside is not', async () => {
    const p = await open(
      'full',
      `window.spanResult = (async () => {
         const span = telemetry.startSpan('checkout');
         await telemetry.withSpan(span, async () => {
           fetch('/api/data?case=span-sync');
           telemetry.logger.info('in span');
           await fetch('/api/data?case=span-await');
           telemetry.logger.info('after await in span');
           await new Promise((resolve) => {
             const xhr = new XMLHttpRequest();
             xhr.open('GET', '/api/data?case=span-xhr');
             xhr.onload = () => (telemetry.logger.info('in xhr onload in span'), resolve());
             xhr.send();
           });
         });
         span.end();
         fetch('/api/data?case=span-after');
         telemetry.logger.info('after the span');
         return { ...span.spanContext(), zone: typeof window.Zone };
       })();`,
    );
    const r = await p.evaluate(() => (window as unknown as { spanResult: Promise<{ traceId: string; spanId: string; zone: string }> }).spanResult);
    expect(r.zone).toBe('undefined');
    const calls = await waitFor('the four calls', () => {
      const found = ['span-sync', 'span-await', 'span-xhr', 'span-after'].map((c) => received.find((q) => q.path === '/api/data' && q.query.get('case') === c));
      return found.every(Boolean) ? (found as Received[]) : undefined;
    });
    const [sync, awaited, xhr, after] = calls.map((c) => String(c.headers.traceparent).split('-'));
    for (const tp of [sync, awaited, xhr]) expect(tp[1]).toBe(r.traceId);
    expect(after[1]).not.toBe(r.traceId);
    // Each client span is the app span's child, named after the request.
    const spans = await waitFor('the client spans and the app span', () => {
      const all = bodies('/ingest/v1/traces').flatMap(spansIn) as Array<{ name: string; traceId: string; spanId: string; parentSpanId?: string }>;
      const mine = all.filter((s) => s.traceId === r.traceId);
      return mine.length >= 4 ? mine : undefined;
    });
    const children = spans.filter((s) => s.parentSpanId === r.spanId);
    expect(children.map((s) => s.spanId).sort()).toEqual([sync[2], awaited[2], xhr[2]].sort());
    // Named after method and path template; the full URL is url.full.
    expect(children.map((s) => s.name)).toEqual(['GET /api/data', 'GET /api/data', 'GET /api/data']);
    expect(spans.find((s) => s.spanId === r.spanId)?.name).toBe('checkout');
    const logs = await waitFor('the four logs', () => {
      const all = bodies('/ingest/v1/logs').flatMap(logsIn) as Array<{ body?: { stringValue?: string }; traceId?: string; spanId?: string }>;
      const want = ['in span', 'after await in span', 'in xhr onload in span', 'after the span'];
      const found = want.map((b) => all.find((l) => l.body?.stringValue === b));
      return found.every(Boolean) ? found : undefined;
    });
    expect(logs.map((l) => [l?.traceId, l?.spanId])).toEqual([
      [r.traceId, r.spanId],
      [r.traceId, r.spanId],
      [r.traceId, r.spanId],
      [undefined, undefined],
    ]);
    await p.context().close();
  });

  it('a timer set in a synchronous withSpan: parented with isotel-zone.global.js, not with the zone-free default', async () => {
    const traceOf = async (build: 'full' | 'zone') => {
      const p = await open(
        build,
        `const span = telemetry.startSpan('timer-${build}');
         window.spanTrace = span.spanContext().traceId;
         telemetry.withSpan(span, () => setTimeout(() => { fetch('/api/data?case=timer-${build}'); span.end(); }, 20));`,
      );
      const spanTrace = await p.evaluate(() => (window as unknown as { spanTrace: string }).spanTrace);
      const call = await waitFor(`the ${build} timer's call`, () => received.find((q) => q.path === '/api/data' && q.query.get('case') === `timer-${build}`));
      const zone = await p.evaluate(() => typeof (window as unknown as { Zone?: unknown }).Zone);
      await p.context().close();
      return { spanTrace, callTrace: String(call.headers.traceparent).split('-')[1], zone };
    };
    const zoned = await traceOf('zone');
    expect(zoned.zone).toBe('function');
    expect(zoned.callTrace).toBe(zoned.spanTrace);
    // Zone-free, a timer outlives a synchronous withSpan: its fetch starts a trace of its own (README).
    const free = await traceOf('full');
    expect(free.zone).toBe('undefined');
    expect(free.callTrace).toMatch(/^[0-9a-f]{32}$/);
    expect(free.callTrace).not.toBe(free.spanTrace);
  });

  it('sends traceparent to an allowed cross-origin API and not to one that is not allowed', async () => {
    const allowed = apiUrl('allowed');
    const other = apiUrl('other');
    // A string matcher is the whole URL (as OpenTelemetry's); a RegExp matches a part (unit-tested).
    const p = await open('full', `fetch('${allowed}/api?case=cors'); fetch('${other}/api?case=cors');`, 200, [`${allowed}/api?case=cors`]);
    const [toAllowed, toOther] = await waitFor('both cross-origin calls', () => {
      const a = crossOrigin.find((r) => r.api === 'allowed');
      const o = crossOrigin.find((r) => r.api === 'other');
      return a && o ? [a, o] : undefined;
    });
    expect(toAllowed.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(toOther.headers.traceparent).toBeUndefined();
    expect(toOther.headers.tracestate).toBeUndefined();
    // The allowed call's client span carries the trace id the API received.
    const traceId = String(toAllowed.headers.traceparent).split('-')[1];
    await waitFor('the allowed call\'s client span', () => bodies('/ingest/v1/traces').flatMap(spansIn).find((sp: { traceId: string }) => sp.traceId === traceId));
    await p.context().close();
  });
});
