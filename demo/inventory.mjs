// The demo's second service, `demo-inventory`: its own process (started by demo/server.mjs) with its own
// service.name. GET /inventory/<sku> reads the stock from PostgreSQL. Its telemetry goes to the demo's ingest
// over OTLP (backend_type: otlp), the way services send to a central `isotel serve`; the server span continues
// the caller's trace from the traceparent header (the http instrumentation), and its pg query is a child span.
import { join } from 'node:path';
import { configureLogger } from '../dist/node/index.js';
import { openShopDatabase, pgSettings, PRODUCTS } from './shop-data.mjs';

const port = Number(process.env.PORT ?? 3001);
const ingestUrl = process.env.ISOTEL_DEMO_INGEST ?? 'http://127.0.0.1:3000';
const dataDir = process.env.ISOTEL_DEMO_DATA ?? join(process.cwd(), 'data', 'demo', 'inventory');

// First the logger (it enables the instrumentations), then the modules they patch.
const logger = await configureLogger({
  config: {
    logger: {
      service_name: 'demo-inventory',
      service_version: '1.0.0',
      enable_console: false,
      data_dir: dataDir,
      tracing: { instrumentations: ['http', 'pg'] },
      backends: [{ backend_type: 'otlp', config: { endpoint: ingestUrl, retry_delay: 0.5, timeout: 5 } }],
    },
  },
});
const http = await import('node:http');
const { default: pgLib } = await import('pg');
const db = await openShopDatabase(pgLib, pgSettings(), 'inventory');
if (db.why) logger.warn(`inventory: ${db.why}; answering from built-in figures`);

async function stockOf(sku) {
  if (!db.pool) return PRODUCTS.find((p) => p[0] === sku)?.[3];
  const r = await db.pool.query('SELECT quantity FROM isotel_demo_stock WHERE sku = $1', [sku]);
  return r.rows[0]?.quantity;
}

const server = http.createServer(async (req, res) => {
  const m = /^\/inventory\/([a-z0-9-]+)$/.exec(req.url ?? '');
  const send = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (!m) return send(404, { error: 'no such endpoint' });
  try {
    const quantity = await stockOf(m[1]);
    if (quantity === undefined) {
      logger.warn('Unknown product', { sku: m[1] });
      return send(404, { error: `no product ${m[1]}` });
    }
    logger.info('Stock looked up', { sku: m[1], quantity });
    return send(200, { sku: m[1], quantity });
  } catch (err) {
    logger.error('Stock lookup failed', { error: err, sku: m[1] });
    return send(500, { error: err.message });
  }
});
server.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address();
  console.log(`demo-inventory listening on 127.0.0.1:${actual}`);
  process.send?.({ port: actual }); // to demo/server.mjs, which started it with PORT=0
});

async function stop() {
  server.close();
  server.closeAllConnections();
  await db.pool?.end().catch(() => {});
  await logger.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Started by demo/server.mjs over IPC: when it is gone (even killed), so is this service.
process.on('disconnect', stop);
