/**
 * The demo's metrics (`node demo/server.mjs --backend jsonl`) in Chromium: clicks on the page's buttons are a
 * browser counter (isotel/browser/metrics, ui.clicks) that reaches the ingest's Prometheus sink and the metrics
 * query; the API's requests are the http instrumentation's http.server.request.duration histogram, served on the
 * app's metrics port for Prometheus and in the query API. Needs `npm run build`.
 */
import { describe, expect, it } from 'vitest';
import { useDemoAndChromium } from './helpers/demo-suite.js';
import { openDemo } from './helpers/page.js';
import { freePort } from './helpers/ports.js';
import { waitFor } from './helpers/wait.js';

interface Series {
  name: string;
  resource: Record<string, unknown>;
  attributes: Record<string, unknown>;
  points: Array<{ value?: number; count?: number }>;
}

let appMetricsPort = 0;
let sinkPort = 0;
// The demo's metrics ports, scraped below.
const suite = useDemoAndChromium('demo-metrics', async () => {
  [appMetricsPort, sinkPort] = [await freePort(), await freePort()];
  return { ISOTEL_DEMO_APP_METRICS_PORT: String(appMetricsPort), ISOTEL_DEMO_PROMETHEUS_PORT: String(sinkPort) };
});

const scrape = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

async function query(name: string): Promise<Series[]> {
  const res = await fetch(`${suite.demo.url}/v1/metrics/query?name=${encodeURIComponent(name)}&step=1h`);
  return ((await res.json()) as { data?: Series[] }).data ?? [];
}

describe('the demo records metrics', () => {
  it('a browser click counter reaches the Prometheus sink and the query API; request durations the app port and the query API', async () => {
    const context = await suite.browser.newContext();
    const page = await openDemo(context, suite.demo.url);
    await page.waitForFunction(() => 'meter' in window, undefined, { timeout: 15_000 });
    for (let i = 0; i < 2; i++) await page.click('#calculate');
    await page.evaluate(() => (window as unknown as { meter: { flush(): Promise<unknown> } }).meter.flush());

    const detail = () => suite.demo?.tail() ?? '';
    const sink = await waitFor('ui_clicks_total in the ingest Prometheus sink', async () => {
      const text = await scrape(sinkPort);
      return /^ui_clicks_total\{[^}]*button="calculate"[^}]*\} 2$/m.test(text) ? text : undefined;
    }, { timeoutMs: 60_000, detail });
    expect(sink).toMatch(/service_name="demo-web"|job="demo-web"/);
    const clicks = await waitFor('ui.clicks in GET /v1/metrics/query', async () => {
      const s = (await query('ui.clicks')).find((x) => x.attributes.button === 'calculate');
      return s && s.points.reduce((n, p) => n + (p.value ?? 0), 0) === 2 ? s : undefined;
    }, { timeoutMs: 60_000, detail });
    expect(clicks.resource['service.name']).toBe('demo-web');

    const app = await scrape(appMetricsPort);
    expect(app).toMatch(/^http_server_request_duration_seconds_bucket\{[^}]*http_response_status_code="200"[^}]*le="\+Inf"\} [1-9]\d*$/m);
    const durations = await waitFor('http.server.request.duration in GET /v1/metrics/query', async () => {
      const all = await query('http.server.request.duration');
      return all.find((s) => s.resource['service.name'] === 'demo-api' && s.points.some((p) => (p.count ?? 0) > 0));
    }, { timeoutMs: 60_000, detail });
    expect(durations.name).toBe('http.server.request.duration');
    await context.close();
  });
});
