// `npm run demo`: one Node process serving a traced web page, its API and the ingest route, on one origin.
//   node demo/server.mjs [--backend jsonl|postgres|elasticsearch|all | --config isotel.yaml] [--port 3000]
// --config takes the backends (and the ingest section) from a YAML file in the `isotel serve` format, e.g.
// demo/isotel.demo.yaml; the demo keeps its own service names and data directories.
// Browser clicks → browser spans and logs (isotel/browser, from a script tag) → POST /v1/logs, /v1/traces here;
// the API's server spans continue the browser's trace (traceparent) and its logs carry it; the explorer at /ui/
// (the one `isotel serve` serves, with its query API) searches and draws them.
import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createServer as createProbe } from 'node:net';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { configureLogger, httpMiddleware } from '../dist/node/index.js';
import { createIngestHandler, INGEST_OWN_PATHS, isIngestOwnPath } from '../dist/collector/index.js';
import { openCache, openShopDatabase, pgSettings, PRODUCTS } from './shop-data.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const { values } = parseArgs({
  options: { backend: { type: 'string', default: process.env.ISOTEL_DEMO_BACKEND ?? 'jsonl' }, config: { type: 'string' }, port: { type: 'string' }, 'data-dir': { type: 'string' } },
});
const port = Number(values.port ?? process.env.PORT ?? 3000);
const dataDir = resolve(values['data-dir'] ?? process.env.ISOTEL_DEMO_DATA ?? join(process.cwd(), 'data', 'demo'));
const logDir = resolve(process.env.ISOTEL_DEMO_LOGS ?? join(process.cwd(), 'logs'));
const fromYaml = values.config ? readYaml(values.config) : undefined;
const wanted = fromYaml ? [] : values.backend === 'all' ? ['jsonl', 'postgres', 'elasticsearch'] : [values.backend];
const unknown = wanted.filter((b) => !['jsonl', 'postgres', 'elasticsearch'].includes(b));
if (unknown.length > 0) {
  console.error(`demo: unknown --backend ${unknown.join(', ')} (jsonl, postgres, elasticsearch or all)`);
  process.exit(2);
}

const pg = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), database: process.env.PGDATABASE ?? 'test', user: process.env.PGUSER ?? 'postgres' };
const esUrl = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
await checkReachable();

const backends = fromYaml ? fromYaml.backends : [];
if (wanted.includes('jsonl')) backends.push({ backend_type: 'filesystem', config: { log_file: join(logDir, 'demo.jsonl'), max_bytes: 10 * 1024 * 1024, backup_count: 5 } });
if (wanted.includes('postgres')) backends.push({ backend_type: 'postgres', config: { ...pg, table_name: 'isotel_demo_logs', spans_table_name: 'isotel_demo_spans' } });
if (wanted.includes('elasticsearch')) backends.push({ backend_type: 'elasticsearch', config: { hosts: [esUrl], index_pattern: 'isotel-demo-logs-%Y.%m.%d', span_index_pattern: 'isotel-demo-traces-%Y.%m.%d', template_name: 'isotel-demo', refresh: true } });
const queryBackend = backends[0].backend_type;
// Metrics: the app's own (http.server.request.duration from the http instrumentation) are served for Prometheus
// on the app's metrics port and go to the backends every 5 s; what the page's meter sends (ui.clicks) reaches
// the ingest, which writes it to the backends and aggregates it in its Prometheus sink.
// A port another program holds (a second demo, a node_exporter) is replaced by a free one, printed below.
const appMetricsPort = await portOr(Number(process.env.ISOTEL_DEMO_APP_METRICS_PORT ?? 9464));
const sinkPort = await portOr(Number(process.env.ISOTEL_DEMO_PROMETHEUS_PORT ?? 9465));

const logger = await configureLogger({
  config: {
    logger: {
      service_name: 'demo-api',
      service_version: '1.0.0',
      log_level: 'INFO',
      enable_console: process.env.ISOTEL_DEMO_QUIET ? false : true,
      data_dir: join(dataDir, 'api'),
      backends,
      // The ingest, query API and explorer hosted here are not the app's traffic (the page's files: ignorePaths below).
      tracing: { ignore_incoming_paths: [...INGEST_OWN_PATHS, '/traces*'] },
      metrics: { export_interval: 5, prometheus: { port: appMetricsPort } },
    },
  },
});
// After configureLogger (it enables the http, undici, pg and ioredis instrumentations): the modules they patch.
const http = await import('node:http');
const { default: pgLib } = await import('pg');
const { default: Redis } = await import('ioredis');
const shopDb = await openShopDatabase(pgLib, pgSettings(), 'api');
const cache = await openCache(Redis);
for (const why of [shopDb.why, cache.why].filter(Boolean)) logger.warn(`demo: ${why}; the checkout runs without it`);
const ingest = await createIngestHandler({
  config: {
    logger: { service_name: 'demo-ingest', enable_console: false, data_dir: join(dataDir, 'ingest'), backends: [...backends, { backend_type: 'prometheus', config: { port: sinkPort } }] },
    ingest: { query_backend: queryBackend, rate_limit: { records_per_second: 100000, burst: 200000 }, ...fromYaml?.ingest, wal_dir: join(dataDir, 'wal') },
  },
});

let offline = false;
const inventory = inventoryService();
const calculatePrice = logger.traced('calculate_price', (base, discount) => Math.round(base * (1 - discount) * 100) / 100);

const files = {
  '/': ['demo/public/index.html', 'text/html; charset=utf-8'],
  '/app.js': ['demo/public/app.js', 'text/javascript; charset=utf-8'],
  '/style.css': ['demo/public/style.css', 'text/css; charset=utf-8'],
  '/isotel.global.js': ['dist/browser/isotel.global.js', 'text/javascript; charset=utf-8'],
  '/metrics.js': ['demo/public/metrics.js', 'text/javascript; charset=utf-8'],
  '/isotel-metrics.js': ['dist/browser/metrics.js', 'text/javascript; charset=utf-8'],
};

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function api(req, res, url) {
  const price = /^\/api\/price\/([^/]+)$/.exec(url.pathname);
  if (price) {
    const base = Number(price[1]);
    const discount = Number(url.searchParams.get('discount') ?? 0);
    if (!Number.isFinite(base) || !Number.isFinite(discount) || discount < 0 || discount > 1) {
      logger.warn('Invalid price request', { base: price[1], discount: url.searchParams.get('discount') });
      return json(res, 400, { error: 'base must be a number and discount between 0 and 1' });
    }
    logger.info('Calculating price', { base_price: base, discount });
    const result = calculatePrice(base, discount);
    logger.info('Price calculated', { result });
    return json(res, 200, { price: result, correlation_id: req.correlationId });
  }
  const checkout = /^\/api\/checkout\/([a-z0-9-]+)$/.exec(url.pathname);
  if (checkout) return checkoutRoute(res, checkout[1], req.correlationId);
  if (url.pathname === '/api/slow') {
    await logger.withSpan('slow_dependency', { 'peer.service': 'inventory' }, async () => {
      logger.info('Waiting for the inventory service');
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 400));
      logger.info('Inventory answered');
    });
    return json(res, 200, { ok: true, correlation_id: req.correlationId });
  }
  if (url.pathname === '/api/fail') {
    const err = new Error('payment provider timed out');
    logger.error('Checkout failed', { error: err, provider: 'acme-pay' });
    return json(res, 500, { error: err.message, correlation_id: req.correlationId });
  }
  if (url.pathname === '/api/offline') {
    if (req.method === 'POST') offline = url.searchParams.get('on') === '1';
    return json(res, 200, { offline });
  }
  return json(res, 404, { error: 'no such endpoint' });
}

/**
 * One click, two services: a Redis counter and a PostgreSQL price lookup here, then the stock from the second
 * service (demo/inventory.mjs) over fetch, which reads PostgreSQL too. Each call is a span of the official
 * instrumentations, children of this request's server span; the fetch carries traceparent (127.0.0.1 is in
 * logger.tracing.propagate_to by default), so the inventory's spans join the same trace.
 */
async function checkoutRoute(res, sku, correlationId) {
  const product = PRODUCTS.find((p) => p[0] === sku);
  if (!product) return json(res, 404, { error: `no product ${sku}` });
  const views = cache.redis ? await cache.redis.incr(`isotel-demo:views:${sku}`) : undefined;
  const price = shopDb.pool ? Number((await shopDb.pool.query('SELECT price FROM isotel_demo_products WHERE sku = $1', [sku])).rows[0]?.price) : product[2];
  const stock = await inventory.ready.then((base) => fetch(`${base}/inventory/${sku}`)).then((r) => r.json());
  logger.info('Checkout priced', { sku, price, quantity: stock.quantity, views });
  return json(res, 200, { sku, price, quantity: stock.quantity, views, correlation_id: correlationId, without: [shopDb.why, cache.why].filter(Boolean) });
}

const app = httpMiddleware(logger, async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://demo');
  if (url.pathname.startsWith('/api/')) return api(req, res, url);
  if (url.pathname === '/favicon.ico') return res.writeHead(204).end(); // no icon; a 404 would be an error in the console
  // Old links to the demo's first viewer: the explorer's search and trace pages.
  const old = /^\/traces(?:\/([0-9a-f]{32}))?$/.exec(url.pathname);
  if (old) return res.writeHead(302, { location: old[1] ? `/ui/#/trace/${old[1]}` : '/ui/' }).end();
  const file = files[url.pathname];
  if (!file) return json(res, 404, { error: 'not found' });
  const path = join(root, file[0]);
  if (!existsSync(path)) return json(res, 500, { error: `${file[0]} is missing: run npm run build` });
  res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' });
  res.end(await readFile(path));
}, { ignorePaths: ['/isotel.global.js', '/isotel-metrics.js', '/metrics.js', '/app.js', '/style.css', '/favicon.ico'] });

const server = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (isIngestOwnPath(path)) {
    // The offline toggle: the page's records cannot reach the ingest (as if the network were down).
    if (offline && req.method === 'POST') {
      req.resume();
      res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' });
      return res.end('{"code":14,"message":"demo: simulated outage"}');
    }
    return ingest(req, res);
  }
  return app(req, res);
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  inventory.start(address.port);
  console.log(`\nisotel demo: http://127.0.0.1:${address.port}/   (explorer: http://127.0.0.1:${address.port}/ui/)`);
  console.log(`metrics for Prometheus: http://127.0.0.1:${appMetricsPort}/metrics (the app's), http://127.0.0.1:${sinkPort}/metrics (the ingest's sink: the page's)`);
  if (fromYaml) console.log(`backends: ${backends.map((b) => b.backend_type).join(', ')}   (from ${values.config})`);
  else console.log(`backends: ${wanted.join(', ')}${wanted.includes('jsonl') ? `   (JSONL in ${logDir})` : ''}`);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  await inventory.stop();
  await shopDb.pool?.end().catch(() => {});
  cache.redis?.disconnect();
  await ingest.close();
  await logger.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

/** The second service as a child process: it listens on a free port and reports it; its output goes to a file. */
function inventoryService() {
  let child;
  let ready;
  const reported = new Promise((resolve) => (ready = resolve));
  return {
    ready: reported,
    start(ingestPort) {
      const out = join(dataDir, 'inventory.log');
      mkdirSync(dataDir, { recursive: true });
      const fd = openSync(out, 'a');
      child = spawn(process.execPath, [join(here, 'inventory.mjs')], {
        cwd: root,
        env: { ...process.env, PORT: '0', ISOTEL_DEMO_INGEST: `http://127.0.0.1:${ingestPort}`, ISOTEL_DEMO_DATA: join(dataDir, 'inventory') },
        stdio: ['ignore', fd, fd, 'ipc'],
      });
      closeSync(fd);
      child.on('message', (m) => m?.port && ready(`http://127.0.0.1:${m.port}`));
      child.on('exit', (code, signal) => !stopping && console.error(`demo: the inventory service exited (${signal ?? code}); see ${out}`));
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The backends and ingest section of an `isotel serve` YAML file (configureLogger expands ${VAR} references and checks every field). */
function readYaml(file) {
  let doc;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`demo: cannot read --config ${file}: ${err.message}`);
    process.exit(2);
  }
  const backends = doc?.logger?.backends;
  if (!Array.isArray(backends) || backends.length === 0) {
    console.error(`demo: ${file} has no logger.backends list (see demo/isotel.demo.yaml)`);
    process.exit(2);
  }
  return { backends, ingest: doc.ingest ?? {} };
}

async function checkReachable() {
  const problems = [];
  if (wanted.includes('postgres')) {
    const { default: pgLib } = await import('pg');
    const client = new pgLib.Client({ ...pg, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.end();
    } catch (err) {
      problems.push(`PostgreSQL is not reachable at ${pg.host}:${pg.port}/${pg.database} (${err.message}). Start it (pg_ctlcluster … main start) or use --backend jsonl.`);
    }
  }
  if (wanted.includes('elasticsearch')) {
    try {
      const r = await fetch(`${esUrl}/_cluster/health`, { signal: AbortSignal.timeout(3000) });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
    } catch (err) {
      problems.push(`Elasticsearch is not reachable at ${esUrl} (${err.message}). Start it with: bash scripts/elasticsearch.sh start — or use --backend jsonl.`);
    }
  }
  if (problems.length > 0) {
    for (const p of problems) console.error(`demo: ${p}`);
    process.exit(1);
  }
}

/** `wanted` if it can be listened on at 127.0.0.1, else a free port the system gives. */
function portOr(wanted) {
  const tryListen = (p) =>
    new Promise((resolve) => {
      const probe = createProbe();
      probe.once('error', () => resolve(undefined));
      probe.listen(p, '127.0.0.1', () => {
        const got = probe.address().port;
        probe.close(() => resolve(got));
      });
    });
  return tryListen(wanted).then((p) => p ?? tryListen(0));
}
