import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Batch } from '../shared/model.js';
import { decodeLogs, decodeSpans, decodeLogsProtobuf, decodeTracesProtobuf, type DecodeLimits } from '../shared/otlp/index.js';
import { readBody, bodyKind } from './body.js';
import { applyCors } from './cors.js';
import { createKeyCheck } from './ingest-key.js';
import { createRateLimiter } from './rate-limit.js';
import { enrichLogs, enrichSpans } from './enrich.js';
import { successBody, errorBody, type Signal } from './otlp-response.js';
import { IngestMetrics } from './metrics.js';
import { IngestDedupe } from './dedupe.js';
import type { IngestRuntime } from './runtime.js';

/**
 * The ingest route as a plain `(req, res)` handler for node:http. Order of checks, cheapest first:
 * route → CORS → ingest key → content type → body (size, encoding) → decode + validate → rate limit →
 * enrich → dedupe window → write-ahead log (fsync) → 200. Every refusal carries a reason; valid records
 * beside invalid ones are kept and the response says how many were rejected (OTLP partial_success).
 * Records accepted before (same ids) are not appended again and count as accepted (dedupe.ts).
 */
export interface HandlerSettings {
  corsAllowedOrigins: readonly string[];
  ingestKeys: readonly string[];
  maxBodyBytes: number;
  /** How long a request body may take to arrive (ingest.request_timeout); slower gets 408 and a closed connection. */
  requestTimeoutMs: number;
  rateLimit: { records_per_second: number; burst: number };
  limits: Partial<DecodeLimits>;
  trustProxy: boolean;
  recordClientAddress: boolean;
  skewThresholdMs: number;
  dedupe: { maxIds: number; windowSeconds: number };
  now?: () => number;
}

const TRACE_ROUTE = /^\/v1\/traces\/([^/]+)$/;

export function createRequestListener(runtime: IngestRuntime, settings: HandlerSettings) {
  const now = settings.now ?? (() => Date.now());
  const origins = new Set(settings.corsAllowedOrigins);
  const keyOk = createKeyCheck(settings.ingestKeys);
  const limiter = createRateLimiter(settings.rateLimit, now);
  const metrics = new IngestMetrics();
  const dedupe = new IngestDedupe(settings.dedupe);
  const health = () => ({ ...runtime.health(), dedupe: dedupe.stats() });

  const send = (res: ServerResponse, route: string, status: number, type: string, body: Buffer | string, headers: Record<string, string> = {}) => {
    metrics.request(route, status);
    if (res.headersSent) return;
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.end(body);
  };
  const fail = (res: ServerResponse, route: string, status: number, reason: string, kind?: 'json' | 'protobuf', headers?: Record<string, string>) => {
    metrics.reject(reasonLabel(status, reason));
    const { type, body } = errorBody(kind, status === 429 || status === 503 ? 14 : 3, reason);
    send(res, route, status, type, body, headers);
  };

  async function ingest(req: IncomingMessage, res: ServerResponse, url: URL, signal: Signal): Promise<void> {
    const route = `/v1/${signal}`;
    const receivedAt = now();
    if (!keyOk(req, url)) return fail(res, route, 401, 'missing or wrong ingest key (header x-isotel-ingest-key or query parameter ingest_key)');
    const kind = bodyKind(req.headers['content-type']);
    if (!kind) {
      req.resume();
      return fail(res, route, 415, `unsupported content-type "${req.headers['content-type'] ?? ''}" (application/json, application/x-protobuf or text/plain with OTLP JSON)`);
    }
    const body = await readBody(req, settings.maxBodyBytes, settings.requestTimeoutMs);
    if (!body.ok && body.status === 408) {
      // The rest of a slow body is not waited for: the answer goes out and the connection is closed.
      res.setHeader('Connection', 'close');
      res.once('finish', () => req.socket.destroy());
    }
    if (!body.ok) return fail(res, route, body.status, body.reason, kind);
    metrics.bytes += body.body.length;

    const staged = stage(req, res, url, signal, kind, body.body, receivedAt);
    if (!staged) return;
    // Only counts cross this await: the records, the parsed body and the frame's text were referenced by
    // stage() alone, so they are garbage before the fsync ends instead of surviving scavenges while it runs.
    const { result, appended, duplicates } = await staged.appended;
    if (!result.ok) {
      metrics.reject(`wal_${result.reason}`, staged.count);
      return fail(res, route, 503, `not stored, retry later: ${result.message}`, kind, { 'Retry-After': '5' });
    }
    if (signal === 'logs') metrics.accepted.logs += appended;
    else metrics.accepted.spans += appended;
    if (duplicates > 0) {
      metrics.duplicate(signal, duplicates);
      runtime.diag.count('ingest.duplicates_dropped', duplicates);
    }
    const ok = successBody(kind, signal, staged.rejected, staged.message);
    send(res, route, 200, ok.type, ok.body);
  }

  /**
   * Parse, decode, rate limit, enrich, and start the write-ahead log append: synchronous. Answers the request
   * itself and returns undefined when it stops there.
   */
  function stage(req: IncomingMessage, res: ServerResponse, url: URL, signal: Signal, kind: 'json' | 'protobuf', body: Buffer, receivedAt: number) {
    const route = `/v1/${signal}`;
    let parsed: unknown;
    try {
      if (kind === 'json') parsed = JSON.parse(body.toString('utf8'));
      else parsed = signal === 'logs' ? decodeLogsProtobuf(body) : decodeTracesProtobuf(body);
    } catch (err) {
      return void fail(res, route, 400, `body is not valid OTLP ${kind === 'json' ? 'JSON' : 'protobuf'}: ${err instanceof Error ? err.message : 'unreadable'}`, kind);
    }
    const limits = { ...settings.limits, nowMs: receivedAt };
    const decoded = signal === 'logs' ? decodeLogs(parsed, limits) : decodeSpans(parsed, limits);
    const message = decoded.errors.join('; ');
    if (decoded.rejected > 0) metrics.reject('invalid_record', decoded.rejected);
    if (decoded.records.length === 0) {
      if (decoded.rejected > 0) return void fail(res, route, 400, `every record was rejected: ${message}`, kind);
      // No records and errors: the body is JSON/protobuf but not an OTLP request (`5`, `[]`, `{"resourceLogs":"x"}`).
      if (message) return void fail(res, route, 400, `not an OTLP ${signal} request: ${message}`, kind);
      const ok = successBody(kind, signal, 0, '');
      return void send(res, route, 200, ok.type, ok.body);
    }

    const client = clientAddress(req, settings.trustProxy);
    const rate = limiter.take(client, decoded.records.length);
    if (!rate.allowed) {
      return void fail(res, route, 429, `rate limit of ${settings.rateLimit.records_per_second} records/s exceeded`, kind, { 'Retry-After': String(rate.retryAfterSec) });
    }

    const sentAt = Number(url.searchParams.get('sent_at'));
    const ctx = {
      receivedAtMs: receivedAt,
      sentAtMs: Number.isFinite(sentAt) && sentAt > 0 ? sentAt : undefined,
      skewThresholdMs: settings.skewThresholdMs,
      userAgent: typeof req.headers['user-agent'] === 'string' && url.searchParams.has('sent_at') ? req.headers['user-agent'] : undefined,
      clientAddress: settings.recordClientAddress ? client : undefined,
      redactor: runtime.redactor,
    };
    const batch: Batch = { logs: [], spans: [] };
    if (signal === 'logs') {
      batch.logs = decoded.records as Batch['logs'];
      enrichLogs(batch.logs, ctx);
    } else {
      batch.spans = decoded.records as Batch['spans'];
      enrichSpans(batch.spans, ctx);
    }
    return { appended: dedupe.appendOnce(batch, (b) => runtime.wal.append(b)), count: decoded.records.length, rejected: decoded.rejected, message };
  }

  async function queryTrace(res: ServerResponse, traceId: string): Promise<void> {
    const route = '/v1/traces/{id}';
    const id = traceId.toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(id)) return fail(res, route, 400, 'trace id must be 32 hex characters');
    if (!runtime.query) return fail(res, route, 501, 'no query backend is configured (ingest.query_backend)');
    try {
      const result = await runtime.query.getTrace(id);
      const status = result.spans.length + result.logs.length === 0 ? 404 : 200;
      send(res, route, status, 'application/json', JSON.stringify({ trace_id: id, ...result }));
    } catch (err) {
      runtime.diag.error('trace query failed', err);
      fail(res, route, 503, `the query backend did not answer: ${err instanceof Error ? err.message : 'error'}`);
    }
  }

  async function listTraces(res: ServerResponse, url: URL): Promise<void> {
    const route = '/v1/traces';
    const limit = Math.min(500, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
    if (!runtime.query?.listTraces) return fail(res, route, 501, 'the query backend cannot list traces');
    try {
      send(res, route, 200, 'application/json', JSON.stringify({ traces: await runtime.query.listTraces(limit) }));
    } catch (err) {
      runtime.diag.error('trace list failed', err);
      fail(res, route, 503, `the query backend did not answer: ${err instanceof Error ? err.message : 'error'}`);
    }
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://ingest');
    } catch {
      return fail(res, 'other', 400, 'malformed request target');
    }
    const path = url.pathname;
    const route = path === '/v1/logs' || path === '/v1/traces' ? path : TRACE_ROUTE.test(path) ? '/v1/traces/{id}' : path;
    const cors = applyCors(req, res, origins);
    if (cors === 'forbidden') {
      req.resume();
      return fail(res, route, 403, `origin ${String(req.headers.origin)} is not allowed (ingest.cors_allowed_origins)`);
    }
    if (cors === 'preflight-answered') return void metrics.request(route, 204);
    const run = async () => {
      if (req.method === 'POST' && path === '/v1/logs') return ingest(req, res, url, 'logs');
      if (req.method === 'POST' && path === '/v1/traces') return ingest(req, res, url, 'traces');
      const m = TRACE_ROUTE.exec(path);
      if (req.method === 'GET' && m) return queryTrace(res, decodeURIComponent(m[1]));
      if (req.method === 'GET' && path === '/v1/traces') return listTraces(res, url);
      if (req.method === 'GET' && path === '/health') {
        const h = health();
        return send(res, '/health', h.status === 'unavailable' ? 503 : 200, 'application/json', JSON.stringify(h));
      }
      if (req.method === 'GET' && path === '/metrics') {
        return send(res, '/metrics', 200, 'text/plain; version=0.0.4', metrics.render(runtime.wal.sizeBytes(), runtime.walMaxBytes, runtime.dispatcher.health(), dedupe.stats().ids));
      }
      req.resume();
      if (['/v1/logs', '/v1/traces', '/health', '/metrics'].includes(path) || m) return fail(res, route, 405, `method ${req.method} not allowed`);
      return fail(res, 'other', 404, `no route ${path}`);
    };
    run().catch((err: unknown) => {
      runtime.diag.error('ingest request failed', err);
      fail(res, route, 500, 'internal error');
    });
  };
  return { listener, metrics, health };
}

function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

function reasonLabel(status: number, reason: string): string {
  switch (status) {
    case 400: return reason.startsWith('every record') ? 'invalid_request' : 'undecodable';
    case 401: return 'ingest_key';
    case 403: return 'cors';
    case 404: return 'not_found';
    case 405: return 'method';
    case 408: return 'timeout';
    case 413: return 'too_large';
    case 415: return 'unsupported_media_type';
    case 429: return 'rate_limited';
    case 503: return 'unavailable';
    default: return `http_${status}`;
  }
}

