import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { TraceSearch } from '../node/engine/index.js';
import { createDiag } from '../shared/diag.js';
import { IngestMetrics } from './metrics.js';
import { Responder } from './respond.js';
import { handleJaeger, jaegerRoute } from './jaeger-routes.js';
import type { IngestRuntime } from './runtime.js';

// The envelope {data, total, limit, offset, errors} and {code, msg}: jaegertracing/jaeger
// cmd/query/app/http_handler.go (structuredResponse, structuredError; 501 for a disabled store).

const search: TraceSearch = {
  services: async () => ['a b', 'shop'],
  operations: async (service) => (service === 'a b' ? [{ name: 'GET', kind: 'CLIENT' }, { name: 'GET', kind: 'SERVER' }, { name: 'x', kind: 'UNSPECIFIED' }] : []),
  findTraces: async () => [],
  findLogs: async () => [],
  findMetrics: async () => ({ points: [], more: false }),
};

function runtime(query: Partial<NonNullable<IngestRuntime['query']>> | undefined): IngestRuntime {
  const q = query && { getTrace: async () => ({ spans: [], logs: [] }), ...query };
  // Only `query` and `diag` are read by the Jaeger routes.
  return { query: q, diag: createDiag(() => {}) } as unknown as IngestRuntime;
}

async function call(rt: IngestRuntime, path: string): Promise<{ status: number; body: unknown }> {
  const out = { status: 0, body: '' };
  const res = { headersSent: false, setHeader() {}, end(b: string) { out.body = b; } } as unknown as ServerResponse;
  const url = new URL(path, 'http://ingest');
  const route = jaegerRoute(url.pathname);
  if (!route) throw new Error(`not a Jaeger route: ${path}`);
  await handleJaeger(rt, new Responder(new IngestMetrics()), res, url, route);
  out.status = res.statusCode;
  return { status: out.status, body: JSON.parse(out.body) };
}

describe('Jaeger routes', () => {
  it('answers services and operations in the envelope; the legacy route lists each name once', async () => {
    expect(await call(runtime({ search }), '/api/services')).toStrictEqual({ status: 200, body: { data: ['a b', 'shop'], total: 2, limit: 0, offset: 0, errors: null } });
    expect((await call(runtime({ search }), '/api/services/a%20b/operations')).body).toStrictEqual({ data: ['GET', 'x'], total: 2, limit: 0, offset: 0, errors: null });
    expect((await call(runtime({ search }), '/api/operations?service=a%20b')).body).toMatchObject({
      data: [{ name: 'GET', spanKind: 'client' }, { name: 'GET', spanKind: 'server' }, { name: 'x', spanKind: '' }],
      total: 3,
    });
  });

  it('answers 501 without a query backend that searches, 500 when the backend fails, in the envelope', async () => {
    expect(await call(runtime(undefined), '/api/services')).toMatchObject({ status: 501, body: { data: null, errors: [{ code: 501 }] } });
    expect(await call(runtime({}), '/api/services')).toMatchObject({ status: 501, body: { data: null, errors: [{ code: 501 }] } });
    const failing: TraceSearch = { ...search, services: async () => Promise.reject(new Error('connection refused')) };
    const got = await call(runtime({ search: failing }), '/api/services');
    expect(got).toStrictEqual({
      status: 500,
      body: { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 500, msg: 'the query backend did not answer: connection refused' }] },
    });
  });

  it('answers 400 for a malformed path encoding', async () => {
    expect(await call(runtime({ search }), '/api/services/%E0%A4%A/operations')).toMatchObject({ status: 400, body: { errors: [{ code: 400 }] } });
  });

  it('knows its routes', () => {
    expect(jaegerRoute('/api/traces/abc')).toBe('/api/traces/{traceID}');
    expect(jaegerRoute('/api/services/s/operations')).toBe('/api/services/{service}/operations');
    expect(jaegerRoute('/api/dependencies')).toBeUndefined();
  });
});
