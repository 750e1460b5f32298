import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyCors } from './cors.js';
import type { Signal } from './otlp-response.js';
import { IngestMetrics } from './metrics.js';
import { Responder } from './respond.js';
import { IngestRoute, type IngestRouteSettings } from './ingest-route.js';
import { queryTrace, listTraces } from './query-routes.js';
import { handleJaeger, jaegerRoute } from './jaeger-routes.js';
import { IngestDedupe } from './dedupe.js';
import { handleLogs, LOGS_ROUTE } from './logs-route.js';
import { handleMetricsQuery, METRICS_QUERY_ROUTE } from './metrics-query-route.js';
import { createReadKeyCheck, isReadRoute, READ_KEY_REASON } from './read-key.js';
import type { IngestRuntime } from './runtime.js';
import { createViewerRoute, isViewerPath, VIEWER_ROUTE } from './viewer-route.js';
import type { Batch } from '../shared/model.js';
import type { KafkaWriterHealth } from './kafka-writer.js';
import type { KafkaIngestHealth } from './kafka-ingest.js';

/**
 * The ingest route as a plain `(req, res)` handler for node:http. Order of checks, cheapest first:
 * route → CORS → ingest key → content type → body (size, encoding) → decode + validate → rate limit →
 * enrich → dedupe window → write-ahead log (fsync) → 200. Every refusal carries a reason; valid records
 * beside invalid ones are kept and the response says how many were rejected (OTLP partial_success).
 * Records accepted before (same ids) are not appended again and count as accepted (dedupe.ts).
 * The read routes (the query API) check the read key after CORS instead (read-key.ts).
 */
export interface HandlerSettings extends IngestRouteSettings {
  corsAllowedOrigins: readonly string[];
  /** `ingest.read_key`: required on the read routes when set. */
  readKey?: string;
  /** Where the explorer's files are (default: dist/viewer, found beside the ingest). */
  viewerDir?: string;
  dedupe: { maxIds: number; windowSeconds: number };
  now?: () => number;
  /** More of /health: the Kafka writer's counters and lag when this process is one (--role writer). */
  extraHealth?: () => { kafka_writer?: KafkaWriterHealth; kafka_ingest?: KafkaIngestHealth };
  /** More of /metrics (--role writer: the consumer lag per partition). */
  extraMetrics?: () => string;
}

const TRACE_ROUTE = /^\/v1\/traces\/([^/]+)$/;

export function createRequestListener(runtime: IngestRuntime, settings: HandlerSettings) {
  const origins = new Set(settings.corsAllowedOrigins);
  const metrics = new IngestMetrics();
  const r = new Responder(metrics);
  const dedupe = new IngestDedupe(settings.dedupe);
  const ingest = new IngestRoute(runtime, settings, r, metrics, dedupe, settings.now ?? (() => Date.now()));
  const health = () => ({ ...runtime.health(), dedupe: dedupe.stats(), ...settings.extraHealth?.() });
  const readKeyOk = createReadKeyCheck(settings.readKey);
  const viewer = createViewerRoute(r, settings.viewerDir);
  const routes: Routes = {
    ingest: (req, res, url, signal) => ingest.handle(req, res, url, signal),
    trace: (res, id) => queryTrace(runtime, r, res, id),
    traces: (res, url) => listTraces(runtime, r, res, url),
    jaeger: (res, url, route) => handleJaeger(runtime, r, res, url, route),
    logs: (res, url) => handleLogs(runtime, r, res, url),
    metricsQuery: (res, url) => handleMetricsQuery(runtime, r, res, url),
    health: (res) => {
      const h = health();
      r.send(res, '/health', h.status === 'unavailable' ? 503 : 200, 'application/json', JSON.stringify(h));
    },
    metrics: (res) => {
      const text = metrics.render(runtime.walBytes(), runtime.dispatcher.health(), dedupe.stats().ids) + (runtime.metricsText?.() ?? '') + (settings.extraMetrics?.() ?? '');
      r.send(res, '/metrics', 200, 'text/plain; version=0.0.4', text);
    },
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://ingest');
    } catch {
      return r.fail(res, 'other', 400, 'malformed request target');
    }
    const path = url.pathname;
    const route = path === '/v1/logs' || path === '/v1/traces' || path === '/v1/metrics' || path === LOGS_ROUTE || path === METRICS_QUERY_ROUTE ? path : TRACE_ROUTE.test(path) ? '/v1/traces/{id}' : isViewerPath(path) ? VIEWER_ROUTE : (jaegerRoute(path) ?? path);
    const cors = applyCors(req, res, origins);
    if (cors === 'forbidden') {
      req.resume();
      return r.fail(res, route, 403, `origin ${String(req.headers.origin)} is not allowed (ingest.cors_allowed_origins)`);
    }
    if (cors === 'preflight-answered') return void metrics.request(route, 204);
    if (isViewerPath(path)) return viewer(req, res, path);
    if (isReadRoute(req.method, path) && !readKeyOk(req)) {
      req.resume();
      return r.fail(res, route, 401, READ_KEY_REASON, 'json', { 'WWW-Authenticate': 'Bearer realm="isotel query API"' });
    }
    dispatch(routes, r, req, res, url).catch((err: unknown) => {
      runtime.diag.error('ingest request failed', err);
      r.fail(res, route, 500, 'internal error');
    });
  };
  // The Kafka writer appends through the same dedupe window as the route, so a message read twice (a
  // redelivery after a rebalance, a producer's re-send) is stored once in JSONL too, within the window.
  const append = (batch: Batch) => dedupe.appendOnce(batch, (b) => runtime.store(b)).then((r) => r.result);
  return { listener, metrics, health, append };
}

interface Routes {
  ingest(req: IncomingMessage, res: ServerResponse, url: URL, signal: Signal): Promise<void>;
  trace(res: ServerResponse, id: string): Promise<void>;
  traces(res: ServerResponse, url: URL): Promise<void>;
  jaeger(res: ServerResponse, url: URL, route: string): Promise<void>;
  logs(res: ServerResponse, url: URL): Promise<void>;
  metricsQuery(res: ServerResponse, url: URL): Promise<void>;
  health(res: ServerResponse): void;
  metrics(res: ServerResponse): void;
}

async function dispatch(routes: Routes, r: Responder, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname;
  if (req.method === 'POST' && path === '/v1/logs') return routes.ingest(req, res, url, 'logs');
  if (req.method === 'POST' && path === '/v1/traces') return routes.ingest(req, res, url, 'traces');
  if (req.method === 'POST' && path === '/v1/metrics') return routes.ingest(req, res, url, 'metrics');
  const m = TRACE_ROUTE.exec(path);
  if (req.method === 'GET' && m) return routes.trace(res, decodeURIComponent(m[1]));
  if (req.method === 'GET' && path === '/v1/traces') return routes.traces(res, url);
  const jaeger = jaegerRoute(path);
  if (req.method === 'GET' && jaeger) return routes.jaeger(res, url, jaeger);
  if (req.method === 'GET' && path === LOGS_ROUTE) return routes.logs(res, url);
  if (req.method === 'GET' && path === METRICS_QUERY_ROUTE) return routes.metricsQuery(res, url);
  if (req.method === 'GET' && path === '/health') return routes.health(res);
  if (req.method === 'GET' && path === '/metrics') return routes.metrics(res);
  req.resume();
  if (['/v1/logs', '/v1/traces', '/v1/metrics', '/health', '/metrics', LOGS_ROUTE, METRICS_QUERY_ROUTE].includes(path) || m || jaeger) {
    return r.fail(res, m ? '/v1/traces/{id}' : (jaeger ?? path), 405, `method ${req.method} not allowed`);
  }
  return r.fail(res, 'other', 404, `no route ${path}`);
}
