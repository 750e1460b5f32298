import type { ServerResponse } from 'node:http';
import type { SpanRecord } from '../shared/model.js';
import { isoToNanos } from '../shared/time.js';
import type { TraceSearch } from '../node/engine/index.js';
import type { IngestRuntime } from './runtime.js';
import type { Responder } from './respond.js';
import { toJaegerTrace } from './jaeger-convert.js';
import { normalizeTraceId, parseSpanKind, parseTraceSearch, type Parsed } from './jaeger-params.js';

/**
 * Jaeger's HTTP query API (jaegertracing/jaeger cmd/query/app/http_handler.go), read from the query backend,
 * so Grafana's Jaeger data source and Jaeger UI can be pointed at `isotel serve`:
 *   GET /api/services                          → data: ["svc", ...]
 *   GET /api/services/{service}/operations     → data: ["op", ...]
 *   GET /api/operations?service=&spanKind=     → data: [{name, spanKind}, ...]
 *   GET /api/traces?service=&operation=&tags=&start=&end=&minDuration=&maxDuration=&limit=  → data: [trace, ...]
 *   GET /api/traces/{traceID}                  → data: [trace], or 404 "trace not found"
 * Every answer is Jaeger's envelope {data, total, limit, offset, errors}; a bad parameter is 400 with the
 * error naming it, a failing backend 500, no query backend 501 (Jaeger's answer for a disabled store).
 */

const OPERATIONS = /^\/api\/services\/([^/]+)\/operations$/;
const TRACE = /^\/api\/traces\/([^/]+)$/;

/** The metrics label of a Jaeger API path; undefined when the path is not one. */
export function jaegerRoute(path: string): string | undefined {
  if (path === '/api/services' || path === '/api/operations' || path === '/api/traces') return path;
  if (OPERATIONS.test(path)) return '/api/services/{service}/operations';
  if (TRACE.test(path)) return '/api/traces/{traceID}';
  return undefined;
}

interface Envelope {
  data: unknown;
  total: number;
  limit: 0;
  offset: 0;
  errors: { code: number; msg: string }[] | null;
}

function envelope(data: unknown, total = 0, errors: Envelope['errors'] = null): string {
  const body: Envelope = { data, total, limit: 0, offset: 0, errors };
  return JSON.stringify(body);
}

export async function handleJaeger(runtime: IngestRuntime, r: Responder, res: ServerResponse, url: URL, route: string): Promise<void> {
  const send = (status: number, body: string) => r.send(res, route, status, 'application/json', body);
  const error = (status: number, msg: string) => send(status, envelope(null, 0, [{ code: status, msg }]));
  const search = runtime.query?.search;
  if (!runtime.query || !search) return error(501, 'no query backend with trace search is configured (ingest.query_backend)');
  try {
    const answer = await answerFor(runtime, search, url, route, Date.now() * 1000);
    if (answer.ok) send(200, answer.value);
    else error(answer.error.status, answer.error.msg);
  } catch (err) {
    runtime.diag.error('jaeger query failed', err);
    error(500, `the query backend did not answer: ${err instanceof Error ? err.message : String(err)}`);
  }
}

type Answer = { ok: true; value: string } | { ok: false; error: { status: number; msg: string } };
const bad = (p: Extract<Parsed<unknown>, { ok: false }>): Answer => ({ ok: false, error: { status: 400, msg: p.error } });

async function answerFor(runtime: IngestRuntime, search: TraceSearch, url: URL, route: string, nowUs: number): Promise<Answer> {
  const q = url.searchParams;
  switch (route) {
    case '/api/services': {
      const services = await search.services();
      return { ok: true, value: envelope(services, services.length) };
    }
    case '/api/services/{service}/operations': {
      const service = pathPart(OPERATIONS, url.pathname);
      if (service === undefined) return { ok: false, error: { status: 400, msg: 'malformed service name in the path' } };
      const names = [...new Set((await search.operations(service)).map((o) => o.name))];
      return { ok: true, value: envelope(names, names.length) };
    }
    case '/api/operations': {
      const service = q.get('service') ?? '';
      if (service === '') return { ok: false, error: { status: 400, msg: `parameter 'service' is required` } };
      const kind = parseSpanKind(q);
      if (!kind.ok) return bad(kind);
      const ops = (await search.operations(service, kind.value)).map((o) => ({ name: o.name, spanKind: o.kind === 'UNSPECIFIED' ? '' : o.kind.toLowerCase() }));
      return { ok: true, value: envelope(ops, ops.length) };
    }
    case '/api/traces': {
      const p = parseTraceSearch(q, nowUs);
      if (!p.ok) return bad(p);
      const traces = p.value.traceIds.length > 0 ? await byIds(runtime, p.value.traceIds) : await search.findTraces(p.value.filter);
      return { ok: true, value: envelope(traces.map(toJaegerTrace)) };
    }
    default:
      return oneTrace(runtime, pathPart(TRACE, url.pathname) ?? '');
  }
}

/** The path's percent-decoded part; undefined when its encoding is malformed. */
function pathPart(re: RegExp, path: string): string | undefined {
  try {
    return decodeURIComponent(re.exec(path)?.[1] ?? '');
  } catch {
    return undefined; // a malformed %-sequence: the caller answers 400
  }
}

async function oneTrace(runtime: IngestRuntime, text: string): Promise<Answer> {
  const id = normalizeTraceId(text);
  if (!id) return { ok: false, error: { status: 400, msg: `cannot parse traceID: "${text}" is not a trace id of 1 to 32 hex digits` } };
  const [spans] = await byIds(runtime, [id]);
  if (!spans) return { ok: false, error: { status: 404, msg: 'trace not found' } };
  return { ok: true, value: envelope([toJaegerTrace(spans)]) };
}

/** The spans of each trace that has any (others are left out, as Jaeger leaves out traces it does not find). */
async function byIds(runtime: IngestRuntime, ids: string[]): Promise<SpanRecord[][]> {
  const query = runtime.query;
  if (!query) return [];
  const found = await Promise.all(ids.map((id) => query.getTrace(id)));
  return found.map((t) => t.spans.sort(byStart)).filter((spans) => spans.length > 0);
}

/** Start time, then span id: one order whatever the backend's own order of equal start times. */
function byStart(a: SpanRecord, b: SpanRecord): number {
  const d = (isoToNanos(a.start_time) ?? 0n) - (isoToNanos(b.start_time) ?? 0n);
  return d < 0n ? -1 : d > 0n ? 1 : a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0;
}
