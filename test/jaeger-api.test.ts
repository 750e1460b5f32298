import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../src/collector-endpoint/index.js';
import { dropTagged } from './helpers/cleanup.js';
import { QUERY_BACKENDS as BACKENDS, startQueryServers, type QueryBackend } from './helpers/query-servers.js';

/**
 * Jaeger's HTTP query API on `isotel serve`, with each backend as the query backend: the same spans are sent
 * once (an ingest writing JSONL, PostgreSQL and Elasticsearch), then every filter is asked of an ingest reading
 * from each, and must answer the same, and the expected traces.
 *
 * Shapes asserted, and where they come from: the envelope {data, total, limit, offset, errors} and the error
 * entries {code, msg}: jaegertracing/jaeger cmd/query/app/http_handler.go (structuredResponse, structuredError,
 * "trace not found" for 404); parameter names and errors: cmd/query/app/query_parser.go; trace, span, process,
 * reference, log and key-value fields: model/json/model.go; the OTel → Jaeger tags: open-telemetry/
 * opentelemetry-collector-contrib pkg/translator/jaeger/traces_to_jaegerproto.go.
 */
const tag = `jq${randomBytes(3).toString('hex')}`;
const API = `${tag}-api`;
const DB = `${tag}-db`;

const MS = 1_000_000n;
const T0 = (BigInt(Date.now()) - 3_600_000n) * MS; // an hour ago, whole milliseconds
const MIN = 60_000n * MS;
const id = (n: number) => `${randomBytes(12).toString('hex')}${String(n).padStart(8, '0')}`;
const T = { t1: id(1), t2: id(2), t3: id(3), t4: id(4), t5: id(5) };
const ROOT1 = 'a000000000000001';
const kv = (key: string, value: object) => ({ key, value });
const str = (key: string, v: string) => kv(key, { stringValue: v });
const int = (key: string, v: number) => kv(key, { intValue: String(v) });

interface SpanIn {
  trace: string;
  span: string;
  parent?: string;
  name: string;
  kind: number;
  start: bigint;
  durationNs: bigint;
  attributes?: object[];
  status?: object;
  events?: object[];
  links?: object[];
}

function otlpSpan(s: SpanIn) {
  return {
    traceId: s.trace,
    spanId: s.span,
    ...(s.parent ? { parentSpanId: s.parent } : {}),
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: String(s.start),
    endTimeUnixNano: String(s.start + s.durationNs),
    attributes: s.attributes ?? [],
    events: s.events ?? [],
    links: s.links ?? [],
    status: s.status ?? {},
  };
}

const API_SPANS: SpanIn[] = [
  { trace: T.t1, span: ROOT1, name: 'GET /checkout', kind: 2, start: T0, durationNs: 120n * MS, attributes: [int('http.status_code', 200)] },
  {
    trace: T.t2, span: 'a000000000000002', name: 'GET /checkout', kind: 2, start: T0 + 10n * MIN, durationNs: 1500n * MS,
    attributes: [int('http.status_code', 500)], status: { code: 2, message: 'boom' },
    events: [{ timeUnixNano: String(T0 + 10n * MIN + 5n * MS), name: 'exception', attributes: [str('exception.type', 'CardDeclined'), str('exception.message', 'no')] }],
  },
  {
    trace: T.t2, span: 'a000000000000003', parent: 'a000000000000002', name: 'charge', kind: 1, start: T0 + 10n * MIN + 100n * MS, durationNs: 1200n * MS,
    links: [{ traceId: T.t1, spanId: ROOT1, attributes: [str('why', 'retry')] }],
  },
  { trace: T.t3, span: 'a000000000000004', name: 'POST /cart', kind: 2, start: T0 + 20n * MIN, durationNs: 50n * MS, attributes: [str('user.tier', 'gold'), kv('ratio', { doubleValue: 0.25 })], status: { code: 1 } },
  { trace: T.t4, span: 'a000000000000005', name: 'GET /checkout', kind: 2, start: T0 + 30n * MIN, durationNs: 800_000n, attributes: [int('http.status_code', 200), kv('premium', { boolValue: true })] },
  { trace: T.t5, span: 'a000000000000006', name: 'GET /checkout', kind: 2, start: T0 - 3n * 24n * 60n * MIN, durationNs: 10n * MS },
];
const DB_SPANS: SpanIn[] = [{ trace: T.t1, span: 'b000000000000001', parent: ROOT1, name: 'SELECT orders', kind: 3, start: T0 + 10n * MS, durationNs: 30n * MS }];

function tracesRequest() {
  const resource = (service: string, extra: object[] = []) => ({ attributes: [str('service.name', service), ...extra] });
  return {
    resourceSpans: [
      { resource: resource(API, [str('deployment.environment.name', 'prod')]), scopeSpans: [{ scope: { name: 'shop', version: '1.0.0' }, spans: API_SPANS.map(otlpSpan) }] },
      { resource: resource(DB), scopeSpans: [{ scope: { name: 'pg' }, spans: DB_SPANS.map(otlpSpan) }] },
    ],
  };
}

let dir: string;
const servers: Partial<Record<QueryBackend, RunningServer>> = {};


beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-jaeger-'));
  Object.assign(servers, await startQueryServers({ tag, dir, name: 'jaeger-api-ingest', send: async (url) => {
      const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tracesRequest()) });
      expect(res.status).toBe(200);
    } }));
});

afterAll(async () => {
  for (const s of Object.values(servers)) await s?.close();
  await dropTagged(tag);
  rmSync(dir, { recursive: true, force: true });
});

async function get(backend: QueryBackend, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${servers[backend]!.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The same request of every backend: each answer, checked to be the same on all three. */
async function everywhere(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const answers = await Promise.all(BACKENDS.map((b) => get(b, path)));
  for (const [i, a] of answers.entries()) expect(a, `${BACKENDS[i]}: ${path}`).toStrictEqual(answers[0]);
  return answers[0];
}

const us = (ns: bigint) => String(ns / 1000n);
const q = (params: Record<string, string>) => `/api/traces?${new URLSearchParams({ service: API, ...params })}`;
const traceIds = (body: Record<string, unknown>) => (body.data as { traceID: string }[]).map((t) => t.traceID);

// Each filter, and the traces it must return (newest first), on every backend.
const FILTERS: [string, Record<string, string>, string[]][] = [
  ['the service alone (Jaeger’s default two-day lookback leaves out t5)', {}, [T.t4, T.t3, T.t2, T.t1]],
  ['an operation', { operation: 'GET /checkout' }, [T.t4, T.t2, T.t1]],
  ['an operation of a child span', { operation: 'charge' }, [T.t2]],
  ['an int attribute as a JSON tag', { tags: '{"http.status_code":"500"}' }, [T.t2]],
  ['a bool attribute', { tags: '{"premium":"true"}' }, [T.t4]],
  ['a double attribute and a string one together', { tags: '{"ratio":"0.25","user.tier":"gold"}' }, [T.t3]],
  ['error=true from the span status', { tags: '{"error":"true"}' }, [T.t2]],
  ['tag=key:value, Jaeger’s other tag form', { tag: 'otel.status_code:ERROR' }, [T.t2]],
  ['a resource attribute (a process tag)', { tags: '{"deployment.environment.name":"prod"}' }, [T.t4, T.t3, T.t2, T.t1]],
  ['a tag nothing has', { tags: '{"http.status_code":"404"}' }, []],
  ['minDuration', { minDuration: '1s' }, [T.t2]],
  ['maxDuration', { maxDuration: '1ms' }, [T.t4]],
  ['both durations, inclusive', { minDuration: '120ms', maxDuration: '1.2s' }, [T.t2, T.t1]],
  ['a start range around t5', { start: us(T0 - 4n * 24n * 60n * MIN), end: us(T0 - 2n * 24n * 60n * MIN) }, [T.t5]],
  ['start = end = a span’s start (inclusive)', { start: us(T0 + 20n * MIN), end: us(T0 + 20n * MIN) }, [T.t3]],
  ['a limit', { limit: '2' }, [T.t4, T.t3]],
];

describe('Jaeger query API: the same answer from JSONL, PostgreSQL and Elasticsearch', () => {
  it.each(FILTERS)('GET /api/traces by %s', async (_name, params, expected) => {
    const { status, body } = await everywhere(q(params));
    expect(status).toBe(200);
    expect(traceIds(body)).toStrictEqual(expected);
    expect(body).toMatchObject({ total: 0, limit: 0, offset: 0, errors: null });
  });

  it('GET /api/traces by another service, and by span.kind', async () => {
    const { body } = await everywhere(`/api/traces?${new URLSearchParams({ service: DB, tags: '{"span.kind":"client"}' })}`);
    expect(traceIds(body)).toStrictEqual([T.t1]);
    const t1 = (body.data as { spans: unknown[] }[])[0];
    expect(t1.spans).toHaveLength(2); // the whole trace, the api service's span too
  });

  it('GET /api/services and the operations of a service', async () => {
    expect((await everywhere('/api/services')).body).toStrictEqual({ data: [API, DB], total: 2, limit: 0, offset: 0, errors: null });
    expect((await everywhere(`/api/services/${encodeURIComponent(API)}/operations`)).body).toStrictEqual({
      data: ['GET /checkout', 'POST /cart', 'charge'], total: 3, limit: 0, offset: 0, errors: null,
    });
    expect((await everywhere(`/api/operations?service=${API}&spanKind=server`)).body).toStrictEqual({
      data: [{ name: 'GET /checkout', spanKind: 'server' }, { name: 'POST /cart', spanKind: 'server' }], total: 2, limit: 0, offset: 0, errors: null,
    });
    expect(((await everywhere(`/api/operations?service=${API}`)).body.data as unknown[])).toContainEqual({ name: 'charge', spanKind: 'internal' });
  });

  it('GET /api/traces/{traceID}: the whole trace in Jaeger’s shape', async () => {
    const { status, body } = await everywhere(`/api/traces/${T.t2}`);
    expect(status).toBe(200);
    const [trace] = body.data as Record<string, unknown>[];
    expect(trace.processes).toStrictEqual({
      p1: { serviceName: API, tags: [{ key: 'deployment.environment.name', type: 'string', value: 'prod' }] },
    });
    const start = Number(T0 / 1000n) + 600_000_000;
    expect(trace.spans).toStrictEqual([
      {
        traceID: T.t2, spanID: 'a000000000000002', operationName: 'GET /checkout', references: [], startTime: start, duration: 1_500_000,
        tags: [
          { key: 'error', type: 'bool', value: true },
          { key: 'http.status_code', type: 'int64', value: 500 },
          { key: 'otel.scope.name', type: 'string', value: 'shop' },
          { key: 'otel.scope.version', type: 'string', value: '1.0.0' },
          { key: 'otel.status_code', type: 'string', value: 'ERROR' },
          { key: 'otel.status_description', type: 'string', value: 'boom' },
          { key: 'span.kind', type: 'string', value: 'server' },
        ],
        logs: [{ timestamp: start + 5000, fields: [
          { key: 'event', type: 'string', value: 'exception' },
          { key: 'exception.message', type: 'string', value: 'no' },
          { key: 'exception.type', type: 'string', value: 'CardDeclined' },
        ] }],
        processID: 'p1', warnings: null,
      },
      {
        traceID: T.t2, spanID: 'a000000000000003', operationName: 'charge', startTime: start + 100_000, duration: 1_200_000,
        references: [{ refType: 'CHILD_OF', traceID: T.t2, spanID: 'a000000000000002' }, { refType: 'FOLLOWS_FROM', traceID: T.t1, spanID: ROOT1 }],
        tags: [{ key: 'otel.scope.name', type: 'string', value: 'shop' }, { key: 'otel.scope.version', type: 'string', value: '1.0.0' }, { key: 'span.kind', type: 'string', value: 'internal' }],
        logs: [], processID: 'p1', warnings: null,
      },
    ]);
    expect(body).toMatchObject({ total: 0, limit: 0, offset: 0, errors: null });
  });

  it('GET /api/traces/{traceID} of an unknown trace: 404 with Jaeger’s error', async () => {
    const { status, body } = await everywhere(`/api/traces/${'e'.repeat(32)}`);
    expect(status).toBe(404);
    expect(body).toStrictEqual({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] });
  });

  it('GET /api/traces?traceID=: those traces, whatever the other parameters', async () => {
    const { body } = await everywhere(`/api/traces?traceID=${T.t3}&traceID=${'e'.repeat(32)}`);
    expect(traceIds(body)).toStrictEqual([T.t3]);
  });

  it('refuses bad parameters with 400 and an error naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['/api/traces?operation=x', /^parameter 'service' is required$/],
      [q({ minDuration: 'soon' }), /^unable to parse param 'minDuration'/],
      [q({ start: 'yesterday' }), /^unable to parse param 'start'/],
      [q({ limit: '-1' }), /^unable to parse param 'limit'/],
      [q({ tags: '{"a":' }), /^malformed 'tags' parameter/],
      [q({ minDuration: '2s', maxDuration: '1s' }), /^'maxDuration' should be greater than 'minDuration'$/],
      ['/api/operations', /^parameter 'service' is required$/],
      [`/api/operations?service=${API}&spanKind=sideways`, /^unable to parse param 'spanKind'/],
      ['/api/traces/not-hex', /^cannot parse traceID/],
    ];
    for (const [path, msg] of cases) {
      const { status, body } = await everywhere(path);
      expect(status, path).toBe(400);
      expect(body, path).toMatchObject({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 400, msg: expect.stringMatching(msg) }] });
    }
  });
});
