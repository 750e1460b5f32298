import type { ServerResponse } from 'node:http';
import type { IngestRuntime } from './runtime.js';
import type { Responder } from './respond.js';

/** GET /v1/traces/{id}: every stored span and log of a trace, from the query backend. */
export async function queryTrace(runtime: IngestRuntime, r: Responder, res: ServerResponse, traceId: string): Promise<void> {
  const route = '/v1/traces/{id}';
  const id = traceId.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) return r.fail(res, route, 400, 'trace id must be 32 hex characters');
  if (!runtime.query) return r.fail(res, route, 501, 'no query backend is configured (ingest.query_backend)');
  try {
    const result = await runtime.query.getTrace(id);
    const status = result.spans.length + result.logs.length === 0 ? 404 : 200;
    r.send(res, route, status, 'application/json', JSON.stringify({ trace_id: id, ...result }));
  } catch (err) {
    runtime.diag.error('trace query failed', err);
    r.fail(res, route, 503, `the query backend did not answer: ${err instanceof Error ? err.message : 'error'}`);
  }
}

/** GET /v1/traces?limit=: the most recent traces. */
export async function listTraces(runtime: IngestRuntime, r: Responder, res: ServerResponse, url: URL): Promise<void> {
  const route = '/v1/traces';
  const limit = Math.min(500, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
  if (!runtime.query?.listTraces) return r.fail(res, route, 501, 'the query backend cannot list traces');
  try {
    r.send(res, route, 200, 'application/json', JSON.stringify({ traces: await runtime.query.listTraces(limit) }));
  } catch (err) {
    runtime.diag.error('trace list failed', err);
    r.fail(res, route, 503, `the query backend did not answer: ${err instanceof Error ? err.message : 'error'}`);
  }
}
