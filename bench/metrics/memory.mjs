// Memory of live series (issue 12: 10,000 live series stay under 50 MB in the Node SDK): 10 instruments (5
// counters, 5 histograms with 11 boundaries), 1,000 attribute sets of three attributes each, so 10,000 series,
// under each SDK's default cardinality limit. Every series is recorded, exported twice (isotel: two intervals of
// its engine reader and a scrape of its Prometheus port; sdk-metrics: two collects; prom-client: the
// exposition), recorded again, and the heap (after gc) and RSS are compared with the same process before the
// first series. Run as `node --expose-gc bench/metrics/memory.mjs isotel|sdk|prom-client DIR`.
import { get } from 'node:http';
import { BOUNDARIES, configureIsotel, freePort } from './shape.mjs';

const [contender, dir] = process.argv.slice(2);
const INSTRUMENTS = 5;
const SETS = 1_000;
const sets = Array.from({ length: SETS }, (_, i) => ({ 'http.request.method': i % 2 ? 'GET' : 'POST', 'http.route': `/api/items/${i}`, 'http.response.status_code': String(200 + (i % 5)) }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** GET /metrics on a new connection (fetch's kept-alive one can meet the server's idle close: ECONNRESET). */
function scrape(port) {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => resolve(text)).on('error', reject);
    }).on('error', reject);
  });
}

function measure() {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

/** An OTel-API meter's 10 instruments, and `record()` that records every series once. */
function otelInstruments(meter) {
  const counters = Array.from({ length: INSTRUMENTS }, (_, i) => meter.createCounter(`bench.requests.${i}`));
  const histograms = Array.from({ length: INSTRUMENTS }, (_, i) => meter.createHistogram(`bench.duration.${i}`, { unit: 's', advice: { explicitBucketBoundaries: BOUNDARIES } }));
  return () => {
    for (const c of counters) for (const s of sets) c.add(1, s);
    for (const h of histograms) for (let j = 0; j < SETS; j++) h.record((j % 100) / 50, sets[j]);
  };
}

async function isotel() {
  const { metrics } = await import('@opentelemetry/api');
  const port = await freePort();
  const logger = await configureIsotel(dir, { export_interval: Number(process.env.BENCH_EXPORT_INTERVAL ?? 1), prometheus: { port } });
  const record = otelInstruments(metrics.getMeter('bench'));
  const exportAll = async () => {
    await sleep(2_300); // two export intervals to the engine
    const text = await scrape(port);
    return text.match(/^bench_requests_0_total\{/gm)?.length ?? 0;
  };
  return { record, exportAll, close: () => logger.close() };
}

async function sdk() {
  const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
  class PullReader extends MetricReader {
    onShutdown() { return Promise.resolve(); }
    onForceFlush() { return Promise.resolve(); }
  }
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  const record = otelInstruments(provider.getMeter('bench'));
  const exportAll = async () => {
    await reader.collect();
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics[0].metrics.find((m) => m.descriptor.name === 'bench.requests.0').dataPoints.length;
  };
  return { record, exportAll, close: () => provider.shutdown() };
}

async function promClient() {
  const { default: client } = await import('prom-client');
  const register = new client.Registry();
  const labelNames = ['http_request_method', 'http_route', 'http_response_status_code'];
  const labels = sets.map((s) => ({ http_request_method: s['http.request.method'], http_route: s['http.route'], http_response_status_code: s['http.response.status_code'] }));
  const counters = Array.from({ length: INSTRUMENTS }, (_, i) => new client.Counter({ name: `bench_requests_${i}_total`, help: 'bench', labelNames, registers: [register] }));
  const histograms = Array.from({ length: INSTRUMENTS }, (_, i) => new client.Histogram({ name: `bench_duration_${i}_seconds`, help: 'bench', labelNames, buckets: BOUNDARIES, registers: [register] }));
  const record = () => {
    for (const c of counters) for (const l of labels) c.inc(l, 1);
    for (const h of histograms) for (let j = 0; j < SETS; j++) h.observe(labels[j], (j % 100) / 50);
  };
  const exportAll = async () => (await register.metrics()).match(/^bench_requests_0_total\{/gm)?.length ?? 0;
  return { record, exportAll, close: () => Promise.resolve() };
}

const setups = { isotel, sdk, 'prom-client': promClient };
const c = await setups[contender]();
const before = measure();
c.record();
const series = await c.exportAll();
c.record();
await c.exportAll();
const after = measure();
await c.close();
if (series !== SETS) throw new Error(`${contender}: ${series} series of bench.requests.0 exported, expected ${SETS}`);
process.stdout.write(`${JSON.stringify({ series: INSTRUMENTS * 2 * SETS, heapMB: (after.heap - before.heap) / 2 ** 20, rssMB: (after.rss - before.rss) / 2 ** 20 })}\n`);
