/**
 * Clicks and SPA route changes (isotel/browser, the demo's script-tag build) in Chromium, against the demo
 * (`node demo/server.mjs --backend jsonl`: the real ingest, and demo-api's Node SERVER spans): one click on
 * "Calculate" is one trace, click span → fetch CLIENT span → demo-api SERVER span; a link whose handler
 * calls history.pushState makes a route span, the click's child; going back (popstate) another one.
 */
import { describe, expect, it } from 'vitest';
import { useDemoAndChromium } from './helpers/demo-suite.js';
import { calculate, openDemo, pageErrors } from './helpers/page.js';
import { waitFor } from './helpers/wait.js';

interface Span {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  name: string;
  kind: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

const suite = useDemoAndChromium('interactions');

const service = (s: Span) => s.resource['service.name'];

/** The spans of a trace as the demo's query API returns them, once `ready` holds. */
function traceSpans(traceId: string, ready: (spans: Span[]) => boolean): Promise<Span[]> {
  return waitFor(
    `the spans of trace ${traceId}`,
    async () => {
      const res = await fetch(`${suite.demo.url}/v1/traces/${traceId}`);
      if (!res.ok) return undefined;
      const spans = ((await res.json()) as { spans: Span[] }).spans;
      return ready(spans) ? spans : undefined;
    },
    { timeoutMs: 30_000, detail: () => suite.demo?.tail() ?? '' },
  );
}

/** The id of the latest trace whose root span is named `rootName` (the query API's trace list). */
function traceNamed(rootName: string): Promise<string> {
  return waitFor(`a trace whose root is ${rootName}`, async () => {
    const { traces } = (await (await fetch(`${suite.demo.url}/v1/traces?limit=50`)).json()) as { traces: Array<{ trace_id: string; root_name: string }> };
    return traces.find((t) => t.root_name === rootName)?.trace_id;
  });
}

describe('interactions and routes (isotel/browser in Chromium, the demo)', () => {
  it('a click on Calculate is one trace: click span → fetch span → demo-api server span', async () => {
    const context = await suite.browser.newContext();
    const page = await openDemo(context, suite.demo.url);
    const traceId = await calculate(page);
    const spans = await traceSpans(traceId, (got) => got.some((s) => s.name === 'click button#calculate') && got.some((s) => service(s) === 'demo-api' && s.kind === 'SERVER'));
    const click = spans.find((s) => s.name === 'click button#calculate')!;
    const fetchSpan = spans.find((s) => service(s) === 'demo-web' && s.kind === 'CLIENT')!;
    const server = spans.find((s) => service(s) === 'demo-api' && s.kind === 'SERVER')!;
    expect(click.parent_span_id ?? null).toBeNull();
    expect(fetchSpan.name).toBe('GET /api/price/:id');
    expect(fetchSpan.parent_span_id).toBe(click.span_id);
    expect(server.parent_span_id).toBe(fetchSpan.span_id);
    // The button's text ("Calculate") is not recorded: the name comes from its tag and id.
    expect(JSON.stringify(click)).not.toContain('Calculate');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('pushState in a click handler is a route span, child of the click; going back (popstate) is one too', async () => {
    const context = await suite.browser.newContext();
    const page = await openDemo(context, suite.demo.url);
    await page.evaluate(() => {
      const a = document.createElement('a');
      a.href = '#';
      a.dataset.testid = 'orders-link';
      a.textContent = 'Order 42 of Jane Doe';
      a.addEventListener('click', (e) => {
        e.preventDefault();
        history.pushState({}, '', '/orders/42');
      });
      document.body.append(a);
    });
    await page.click('[data-testid="orders-link"]');
    expect(new URL(page.url()).pathname).toBe('/orders/42');
    // Stored, so ended: going back is not part of the click.
    const clickTrace = await traceNamed('click a[data-testid="orders-link"]');
    await page.evaluate(() => history.back());
    await page.waitForFunction(() => location.pathname === '/');

    const spans = await traceSpans(clickTrace, (got) => got.some((s) => s.name === 'route /orders/:id'));
    const click = spans.find((s) => s.name === 'click a[data-testid="orders-link"]')!;
    const route = spans.find((s) => s.name === 'route /orders/:id')!;
    expect(route.parent_span_id).toBe(click.span_id);
    expect(route.attributes).toMatchObject({ 'url.template': '/orders/:id' });
    expect(JSON.stringify(spans)).not.toContain('Jane Doe');

    const back = await traceSpans(await traceNamed('route /'), (got) => got.length > 0);
    expect(back.find((s) => s.name === 'route /')?.attributes).toMatchObject({ 'url.template': '/' });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
