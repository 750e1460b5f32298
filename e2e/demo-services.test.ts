/**
 * One click, one trace across two Node services: the demo (`node demo/server.mjs --backend jsonl`) in Chromium,
 * "Check price and stock" → browser fetch span → demo-api SERVER span → its Redis, PostgreSQL and fetch CLIENT
 * spans → demo-inventory SERVER span (its own process, its telemetry sent to the demo's ingest by the otlp
 * backend) → its PostgreSQL span. Asserted on what the query backend stored, then drawn by the viewer
 * (ISOTEL_UPDATE_SCREENSHOTS=1 refreshes docs/screenshots/multi-service-trace.png for the README).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useDemoAndChromium } from './helpers/demo-suite.js';
import { lastTraceId, openDemo, pageErrors } from './helpers/page.js';
import { waitFor } from './helpers/wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCREENSHOTS = process.env.ISOTEL_UPDATE_SCREENSHOTS ? join(ROOT, 'docs', 'screenshots') : join(ROOT, 'test-results', 'screenshots');

interface Span {
  span_id: string;
  parent_span_id?: string;
  name: string;
  kind: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

const suite = useDemoAndChromium('services');

const service = (s: Span) => s.resource['service.name'];
const dbSystem = (s: Span) => s.attributes['db.system.name'] ?? s.attributes['db.system'];

describe('the demo checkout, two services, one trace', () => {
  it('links browser → demo-api → Redis + PostgreSQL + fetch → demo-inventory → PostgreSQL, and the viewer draws it', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await openDemo(context, suite.demo.url);
    await page.selectOption('#sku', 'tea');
    await page.click('#checkout');
    await page.waitForFunction(() => /in stock/.test(document.getElementById('checkout-result')?.textContent ?? ''), undefined, { timeout: 15_000 });
    const traceId = await lastTraceId(page);

    const url = suite.demo.url;
    const spans = await waitFor(
      'the whole checkout trace in the query backend',
      async () => {
        const res = await fetch(`${url}/v1/traces/${traceId}`);
        if (!res.ok) return undefined;
        const got = ((await res.json()) as { spans: Span[] }).spans;
        const invServer = got.find((s) => service(s) === 'demo-inventory' && s.kind === 'SERVER');
        const invDb = invServer && got.find((s) => s.parent_span_id === invServer.span_id && dbSystem(s) === 'postgresql');
        return got.some((s) => service(s) === 'demo-web') && invDb ? got : undefined;
      },
      { timeoutMs: 30_000, detail: () => suite.demo?.tail() ?? '' },
    );

    const byId = new Map(spans.map((s) => [s.span_id, s]));
    const parentOf = (s: Span) => (s.parent_span_id ? byId.get(s.parent_span_id) : undefined);
    const apiServer = spans.find((s) => service(s) === 'demo-api' && s.kind === 'SERVER' && String(s.attributes['url.path'] ?? s.name).includes('/api/checkout/tea'));
    expect(apiServer, 'the demo-api server span').toBeDefined();
    expect(service(parentOf(apiServer!)!)).toBe('demo-web');
    const children = spans.filter((s) => s.parent_span_id === apiServer!.span_id);
    expect(children.some((s) => dbSystem(s) === 'postgresql' && s.kind === 'CLIENT'), 'pg span').toBe(true);
    expect(children.some((s) => dbSystem(s) === 'redis' && s.kind === 'CLIENT'), 'redis span').toBe(true);
    const fetchSpan = children.find((s) => s.kind === 'CLIENT' && String(s.attributes['url.full'] ?? '').includes('/inventory/tea'));
    expect(fetchSpan, 'the outgoing fetch CLIENT span').toBeDefined();
    const invServer = spans.find((s) => service(s) === 'demo-inventory' && s.kind === 'SERVER')!;
    expect(invServer.parent_span_id).toBe(fetchSpan!.span_id);
    expect(spans.some((s) => s.parent_span_id === invServer.span_id && dbSystem(s) === 'postgresql')).toBe(true);

    const viewer = await context.newPage();
    viewer.on('pageerror', (err) => pageErrors.push(`${viewer.url()}: ${err.message}`));
    await viewer.goto(`${url}/ui/#/trace/${traceId}`);
    await viewer.waitForSelector('.waterfall .span-row', { timeout: 15_000 });
    const services = await viewer.locator('.span-row .service-name').allTextContents();
    for (const svc of ['demo-web', 'demo-api', 'demo-inventory']) expect(services, svc).toContain(svc);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await viewer.screenshot({ path: join(SCREENSHOTS, 'multi-service-trace.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
