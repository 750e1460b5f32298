// The service under load in the HTTP tracing benchmark, one process per variant:
//   node app.mjs <none|isotel|sdk-node> <upstream URL> <dir> [OTLP sink URL]
// GET / makes one outgoing fetch to the upstream and one PostgreSQL query, then answers 200. Tracing is set up
// before `http` and `pg` are loaded (with require, so the instrumentations' require hooks see them in this ES
// module). On SIGTERM it flushes its telemetry and exits. Prints "listening on URL".
import { createRequire } from 'node:module';

const [variant, upstream, dir, sink] = process.argv.slice(2);
const INSTRUMENTATIONS = ['http', 'undici', 'pg'];
let shutdown = async () => {};
/** Runs a request's handler; the context-only floor enters a context per request, as an instrumentation would. */
let inRequest = (fn) => fn();

if (variant === 'isotel') {
  const { configureLogger } = await import('../../dist/node/index.js');
  const logger = await configureLogger({
    config: {
      logger: {
        service_name: 'bench-http',
        enable_console: false,
        data_dir: `${dir}/data`,
        backends: [{ backend_type: 'filesystem', config: { log_file: `${dir}/out.jsonl`, max_bytes: 2 ** 31, backup_count: 1 } }],
        tracing: { instrumentations: INSTRUMENTATIONS },
      },
    },
    watch: false,
    exitHooks: false,
  });
  shutdown = () => logger.close();
} else if (variant === 'sdk-node') {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } = await import('@opentelemetry/instrumentation-undici');
  const { PgInstrumentation } = await import('@opentelemetry/instrumentation-pg');
  const sdk = new NodeSDK({
    serviceName: 'bench-http',
    traceExporter: new OTLPTraceExporter({ url: `${sink}/v1/traces` }),
    instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation(), new PgInstrumentation()],
  });
  sdk.start();
  shutdown = () => sdk.shutdown();
} else if (variant === 'context-only' || variant === 'instrumented-noop') {
  // The floors under any SDK that uses these instrumentations on Node 20: the AsyncLocalStorage context manager
  // alone (a context entered per request), then also the three official instrumentations creating spans that go
  // nowhere (no-op processor).
  const { context, propagation, trace } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  if (variant === 'context-only') {
    // Without an active context AsyncLocalStorage never switches its hooks on: enter one per request, so the
    // floor includes what carrying a context through the request's promises and callbacks costs.
    const key = Symbol('request');
    inRequest = (fn) => context.with(context.active().setValue(key, true), fn);
  }
  if (variant === 'instrumented-noop') {
    const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
    const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
    const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
    const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
    const { UndiciInstrumentation } = await import('@opentelemetry/instrumentation-undici');
    const { PgInstrumentation } = await import('@opentelemetry/instrumentation-pg');
    const provider = new BasicTracerProvider();
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    registerInstrumentations({ tracerProvider: provider, instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation(), new PgInstrumentation({ requireParentSpan: true })] });
  }
} else if (variant !== 'none') {
  throw new Error(`unknown variant ${variant}`);
}

const require = createRequire(import.meta.url);
const http = require('http');
const pg = require('pg');
const pool = new pg.Pool({
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
  max: Number(process.env.BENCH_TRACING_CLIENTS ?? 16),
});

const server = http.createServer((req, res) => inRequest(() => handle(req, res)));

async function handle(req, res) {
  try {
    const price = await (await fetch(upstream)).json();
    const { rows } = await pool.query('SELECT $1::int AS price', [price.price]);
    const body = JSON.stringify({ price: rows[0].price });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  } catch (err) {
    res.writeHead(500).end(String(err));
  }
}
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));

process.once('SIGTERM', async () => {
  server.closeAllConnections();
  server.close();
  await pool.end();
  await shutdown();
  process.exit(0);
});
