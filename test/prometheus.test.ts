import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, writeYaml, type ServeProcess } from './helpers/serve-process.js';
import { logRecordJson, logsRequest } from './helpers/otlp.js';
import { freePort } from '../src/node/metrics/testing.js';

/**
 * Real Prometheus (Debian's package, started by scripts/prometheus.sh) scrapes, every second, `isotel serve`'s
 * /metrics and the metrics port of a Node app that uses the built isotel/node (test/fixtures/metrics-app): the
 * series arrive with their values, read back through Prometheus's HTTP API, and `promtool check metrics` finds
 * nothing to report in either exposition. Uses the build (`npm run build`, which `npm test` runs first).
 */
const ROOT = new URL('..', import.meta.url).pathname;
const APP = join(ROOT, 'test', 'fixtures', 'metrics-app', 'app.mjs');
const PROM_PORT = Number(process.env.ISOTEL_PROMETHEUS_PORT ?? 9090);
const PROM = `http://127.0.0.1:${PROM_PORT}`;
const PROMTOOL = '/usr/bin/promtool';
const dir = mkdtempSync(join(tmpdir(), 'isotel-prometheus-'));
let serve: ServeProcess | undefined;
let app: ChildProcess | undefined;
let appMetrics = '';
/** Label selectors of this run's two targets (a Prometheus kept running may still hold an earlier run's series). */
let APP_SEL = '';
let INGEST_SEL = '';

type Sample = { metric: Record<string, string>; value: [number, string] };

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeout?: number } = {}) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    const child = execFile(cmd, args, { cwd: ROOT, env: { ...process.env, ...opts.env }, timeout: opts.timeout ?? 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

function prometheusScript(...args: string[]) {
  return run('bash', [join(ROOT, 'scripts', 'prometheus.sh'), ...args], { env: { PROM_PORT: String(PROM_PORT) }, timeout: 240_000 });
}

async function query(promql: string): Promise<Sample[]> {
  const res = await fetch(`${PROM}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data: { result: Sample[] } };
  expect(body.status).toBe('success');
  return body.data.result;
}

/** Polls `promql` until it returns `n` series or more (scrapes are 1 s apart), for at most 30 s. */
async function series(promql: string, n = 1): Promise<Sample[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await query(promql);
    if (result.length >= n || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const valueBy = (samples: Sample[], label: string) => Object.fromEntries(samples.map((s) => [s.metric[label], Number(s.value[1])]));

/** Starts the fixture app; resolves once it printed its ready line (its metrics port listens by then). */
async function startApp(metricsPort: number): Promise<ChildProcess> {
  const err = openSync(join(dir, 'app.stderr.txt'), 'w');
  const child = spawn(process.execPath, [APP], {
    cwd: dir,
    stdio: ['ignore', 'pipe', err],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', METRICS_PORT: String(metricsPort), DATA_DIR: dir },
  });
  closeSync(err);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the metrics app did not start in 30 s; see app.stderr.txt')), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('"ready":true')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the metrics app exited with ${code}: ${readFileSync(join(dir, 'app.stderr.txt'), 'utf8')}`));
    });
  });
  return child;
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'node', 'index.js')) || !existsSync(join(ROOT, 'dist', 'collector', 'cli.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first');
  }
  const yaml = writeYaml(join(dir, 'isotel.yaml'), `
logger:
  service_name: prometheus-ingest
  enable_console: false
  data_dir: ${dir}/serve-data
  backends:
    - backend_type: filesystem
      config: { log_file: ${dir}/ingest.jsonl }
ingest:
  wal_dir: ${dir}/wal
`);
  serve = await startServe(yaml, join(dir, 'serve.log'));
  const sent = await fetch(`${serve.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(logsRequest([logRecordJson(1)])) });
  expect(sent.status).toBe(200);
  const metricsPort = await freePort();
  app = await startApp(metricsPort);
  appMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
  APP_SEL = `job="metrics_app",instance="127.0.0.1:${metricsPort}"`;
  INGEST_SEL = `job="isotel_ingest",instance="${new URL(serve.url).host}"`;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, [
    'global: { scrape_interval: 1s, scrape_timeout: 1s }',
    'scrape_configs:',
    `  - { job_name: isotel_ingest, static_configs: [{ targets: ["${new URL(serve.url).host}"] }] }`,
    `  - { job_name: metrics_app, static_configs: [{ targets: ["127.0.0.1:${metricsPort}"] }] }`,
    '',
  ].join('\n'));
  const started = await prometheusScript('start', config);
  expect(started.code, started.out).toBe(0);
  console.log(started.out.trim());
});

afterAll(async () => {
  // Back to the script's own config: the targets above go away with this test.
  await prometheusScript('start');
  if (app && app.exitCode === null) {
    const exited = new Promise((resolve) => app!.once('exit', resolve));
    app.kill('SIGTERM');
    await exited;
  }
  await serve?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('Prometheus scraping isotel', () => {
  it("reads the app's counter as a _total series with its values", async () => {
    const samples = await series(`app_orders_total{${APP_SEL}}`, 2);
    expect(valueBy(samples, 'region')).toEqual({ eu: 5, us: 2 });
    expect(samples[0].metric).toMatchObject({ otel_scope_name: 'metrics-app' });
  });

  it("reads the app's histogram buckets (seconds, the advised boundaries), sum and count", async () => {
    const buckets = await series(`app_checkout_duration_seconds_bucket{${APP_SEL},region="eu"}`, 4);
    expect(valueBy(buckets, 'le')).toEqual({ '0.1': 1, '0.5': 2, '1': 3, '+Inf': 4 });
    const [sum] = await series(`app_checkout_duration_seconds_sum{${APP_SEL}}`);
    expect(Number(sum.value[1])).toBeCloseTo(3.05, 6);
  });

  it("reads http.server.request.duration from the http instrumentation, with no code in the app; Prometheus's scrapes are not counted", async () => {
    await series(`up{${APP_SEL}} == 1`);
    await new Promise((r) => setTimeout(r, 2500)); // two more scrapes of the metrics port
    const buckets = await series(`http_server_request_duration_seconds_bucket{${APP_SEL},le="+Inf",http_request_method="GET",http_response_status_code="200"}`);
    expect(buckets).toHaveLength(1);
    expect(Number(buckets[0].value[1])).toBe(3); // the app's three requests
  });

  it("reads the app's resource as target_info, and the ingest's own counters", async () => {
    const [info] = await series(`target_info{${APP_SEL}}`);
    expect(info.metric).toMatchObject({ service_name: 'metrics-app', service_version: '1.2.3', telemetry_sdk_name: 'isotel' });
    const accepted = await series(`isotel_ingest_records_accepted_total{${INGEST_SEL}}`, 3);
    expect(valueBy(accepted, 'signal')).toEqual({ logs: 1, traces: 0, metrics: 0 });
    expect(valueBy(await series(`up{${INGEST_SEL}} or up{${APP_SEL}}`, 2), 'job')).toEqual({ isotel_ingest: 1, metrics_app: 1 });
  });

  it('promtool check metrics reports nothing on either exposition', async () => {
    for (const url of [`${serve!.url}/metrics`, appMetrics]) {
      const text = await (await fetch(url)).text();
      const checked = await run(PROMTOOL, ['check', 'metrics'], { input: text });
      console.log(`promtool check metrics < ${url}: exit ${checked.code}, output ${JSON.stringify(checked.out)}`);
      expect({ url, ...checked }).toEqual({ url, code: 0, out: '' });
    }
  });

  it("closes the app's metrics port when the app closes its logger, and the app exits cleanly", async () => {
    const exited = new Promise<number | null>((resolve) => app!.once('exit', resolve));
    app!.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(appMetrics)).rejects.toThrow();
  });
});
