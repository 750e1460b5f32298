/**
 * The browser meter (isotel/browser/metrics) in Debian's Chromium against the real ingest: a page loads the
 * shipped script-tag SDK (dist/browser/isotel.global.js) and the meter's ESM entry (dist/browser/metrics.js),
 * counts clicks, and the points reach PostgreSQL through POST /v1/metrics and come back from
 * GET /v1/metrics/query. Needs `npm run build`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../src/collector-endpoint/index.js';
import { launchChromium } from './helpers/browser.js';
import { waitFor } from './helpers/wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TAG = `bm${randomBytes(3).toString('hex')}`;
const PG = { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' };

let dir: string;
let ingest: RunningServer;
let site: Server;
let browser: Browser;
let origin = '';

function page(endpoint: string): string {
  return `<!doctype html><html><body><button id="buy">Buy</button>
<script src="/isotel.global.js"></script>
<script type="module">
  import { createMeter } from '/metrics.js';
  const telemetry = Isotel.init({ endpoint: ${JSON.stringify(endpoint)}, serviceName: '${TAG}-web', batchDelayMs: 50 });
  const meter = createMeter(telemetry, { exportIntervalMs: 60000 });
  const clicks = meter.counter('ui.clicks', { unit: '{click}' });
  document.getElementById('buy').addEventListener('click', () => clicks.add(1, { button: 'buy' }));
  window.meter = meter;
</script></body></html>`;
}

beforeAll(async () => {
  for (const f of ['dist/browser/isotel.global.js', 'dist/browser/metrics.js']) if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run npm run build`);
  dir = mkdtempSync(join(tmpdir(), 'isotel-browser-metrics-'));
  site = createServer((req, res) => {
    const files: Record<string, string> = { '/isotel.global.js': 'dist/browser/isotel.global.js', '/metrics.js': 'dist/browser/metrics.js' };
    const file = files[(req.url ?? '/').split('?')[0]];
    if (file) return res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(ROOT, file)));
    res.writeHead(200, { 'content-type': 'text/html' }).end(page(ingest.url));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const backend = { backend_type: 'postgres', config: { ...PG, table_name: `${TAG}_logs`, spans_table_name: `${TAG}_spans`, metrics_table_name: `${TAG}_metrics` } };
  ingest = await serve({
    config: { logger: { service_name: `${TAG}-ingest`, enable_console: false, data_dir: join(dir, 'data'), backends: [backend] }, ingest: { wal_dir: join(dir, 'wal'), query_backend: 'postgres', cors_allowed_origins: [origin] } },
    port: 0,
    diagSink: () => {},
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await ingest?.close();
  site?.close();
  const client = new pg.Client(PG);
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS ${TAG}_logs, ${TAG}_spans, ${TAG}_metrics`);
  await client.end();
  rmSync(dir, { recursive: true, force: true });
});

describe('browser meter in Chromium', () => {
  it('a counter of button clicks reaches the ingest and the metrics query API', async () => {
    const tab = await browser.newPage();
    const seen: string[] = [];
    tab.on('console', (m) => seen.push(`console: ${m.text()}`));
    tab.on('requestfinished', async (r) => seen.push(`${r.method()} ${r.url()} ${(await r.response())?.status()} ${r.postData()?.slice(0, 300) ?? ''}`));
    await tab.goto(origin);
    await tab.waitForFunction(() => 'meter' in window);
    for (let i = 0; i < 3; i++) await tab.click('#buy');
    const flushed = await tab.evaluate(() => (window as unknown as { meter: { flush(): Promise<{ done: boolean }> } }).meter.flush());
    expect(flushed.done).toBe(true);
    const series = await waitFor('ui.clicks in GET /v1/metrics/query', async () => {
      const res = await fetch(`${ingest.url}/v1/metrics/query?name=ui.clicks&step=1h`);
      const body = (await res.json()) as { data?: Array<{ resource: Record<string, unknown>; attributes: Record<string, unknown>; temporality: string; points: Array<{ value: number }> }> };
      return body.data?.find((s) => s.resource['service.name'] === `${TAG}-web`);
    }, { timeoutMs: 30_000, detail: () => seen.join('\n') });
    expect(series).toMatchObject({ temporality: 'delta', attributes: { button: 'buy' } });
    expect(series.points.reduce((n, p) => n + p.value, 0)).toBe(3);
    await tab.close();
  });
});
