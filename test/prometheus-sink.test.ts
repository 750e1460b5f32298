import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, writeYaml, type ServeProcess } from './helpers/serve-process.js';
import { freePort } from '../src/node/metrics/testing.js';

/**
 * The prometheus backend of `isotel serve` under a real Prometheus (a private instance on a port of its own,
 * started by scripts/prometheus.sh): a "browser" posts delta counter points and a histogram to /v1/metrics, the
 * backend aggregates them into series on its own port, Prometheus scrapes it every second, and its HTTP API
 * returns the series with the summed value; `promtool check metrics` finds nothing in the exposition.
 * Uses the build (`npm run build`).
 */
const ROOT = new URL('..', import.meta.url).pathname;
const PROMTOOL = '/usr/bin/promtool';
const dir = mkdtempSync(join(tmpdir(), 'prom-sink-'));
let promPort = 0;
let sinkPort = 0;
let serve: ServeProcess | undefined;

type Sample = { metric: Record<string, string>; value: [number, string] };

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeout?: number } = {}) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    const child = execFile(cmd, args, { cwd: ROOT, env: { ...process.env, ...opts.env }, timeout: opts.timeout ?? 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

const prometheusScript = (...args: string[]) => run('bash', [join(ROOT, 'scripts', 'prometheus.sh'), ...args], { env: { PROM_PORT: String(promPort) }, timeout: 240_000 });

/** Polls `promql` until a sample satisfies `ok` (scrapes are 1 s apart), for at most 30 s. */
async function until(promql: string, ok: (s: Sample[]) => boolean): Promise<Sample[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as { status: string; data: { result: Sample[] } };
    if ((body.status === 'success' && ok(body.data.result)) || Date.now() > deadline) return body.data.result;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const BROWSER = [str('service.name', 'shop-web'), str('service.instance.id', 'tab-42'), str('browser.brand', 'Firefox')];

/** One OTLP JSON request from the browser resource: a delta click counter and a delta latency histogram. */
function metricsRequest(clicks: number, timeMs: number) {
  const t = `${BigInt(timeMs) * 1_000_000n}`;
  const start = `${BigInt(timeMs - 1000) * 1_000_000n}`;
  const attrs = [str('page', '/cart')];
  return {
    resourceMetrics: [{
      resource: { attributes: BROWSER },
      scopeMetrics: [{
        scope: { name: 'isotel-browser' },
        metrics: [
          { name: 'web.clicks', unit: '{click}', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ attributes: attrs, startTimeUnixNano: start, timeUnixNano: t, asInt: String(clicks) }] } },
          { name: 'web.load', unit: 's', histogram: { aggregationTemporality: 1, dataPoints: [{ attributes: attrs, startTimeUnixNano: start, timeUnixNano: t, count: '2', sum: 0.7, bucketCounts: ['1', '1', '0'], explicitBounds: [0.25, 1] }] } },
        ],
      }],
    }],
  };
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'collector', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  [promPort, sinkPort] = [await freePort(), await freePort()];
  const yaml = writeYaml(join(dir, 'isotel.yaml'), `
logger:
  service_name: prom-sink-ingest
  enable_console: false
  data_dir: ${dir}/serve-data
  backends:
    - backend_type: filesystem
      config: { log_file: ${dir}/ingest.jsonl }
    - backend_type: prometheus
      config: { port: ${sinkPort} }
ingest:
  wal_dir: ${dir}/wal
`);
  serve = await startServe(yaml, join(dir, 'serve.log'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, [
    'global: { scrape_interval: 1s, scrape_timeout: 1s }',
    'scrape_configs:',
    `  - { job_name: isotel_points, honor_labels: true, static_configs: [{ targets: ["127.0.0.1:${sinkPort}"] }] }`,
    '',
  ].join('\n'));
  const started = await prometheusScript('start', config);
  expect(started.code, started.out).toBe(0);
}, 300_000);

afterAll(async () => {
  await prometheusScript('stop');
  await serve?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('the prometheus backend of isotel serve, scraped by Prometheus', () => {
  it('turns delta points from a browser into one cumulative series per job/instance, with target_info', async () => {
    const now = Date.now();
    for (const [clicks, t] of [[3, now - 2000], [4, now - 1000]]) {
      const res = await fetch(`${serve!.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metricsRequest(clicks, t)) });
      expect(res.status).toBe(200);
    }
    const clicks = await until('web_clicks_total{job="shop-web",instance="tab-42",page="/cart"}', (s) => s[0]?.value[1] === '7');
    expect(clicks.map((s) => s.value[1])).toEqual(['7']);
    const buckets = await until('web_load_seconds_bucket{job="shop-web"}', (s) => s.length === 3 && s.some((x) => x.value[1] === '4'));
    expect(Object.fromEntries(buckets.map((s) => [s.metric.le, Number(s.value[1])]))).toEqual({ '0.25': 2, '1': 4, '+Inf': 4 });
    const [info] = await until('target_info{job="shop-web"}', (s) => s.length === 1);
    expect(info.metric).toMatchObject({ instance: 'tab-42', browser_brand: 'Firefox' });
  });

  it('promtool check metrics reports nothing on the exposition', async () => {
    const text = await (await fetch(`http://127.0.0.1:${sinkPort}/metrics`)).text();
    const checked = await run(PROMTOOL, ['check', 'metrics'], { input: text });
    console.log(`promtool check metrics < prometheus backend: exit ${checked.code}, output ${JSON.stringify(checked.out)}\n${text}`);
    expect(checked).toEqual({ code: 0, out: '' });
  });
});
