import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type * as Http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureLogger, expressMiddleware, fastifyPlugin, type Logger } from '../src/node/index.js';
import type { SpanRecord } from '../src/shared/model.js';
import { childrenOf, waitForSpans } from './helpers/spans-file.js';

/**
 * The official instrumentations isotel enables, against real servers: node:http (server and client), global
 * fetch (undici), PostgreSQL (127.0.0.1:5432), Redis (127.0.0.1:6379), Express and Fastify. The libraries are
 * loaded with require after configureLogger, as a CommonJS app loads them (ES-module apps: tracing-auto.test.ts).
 * propagate_to allows 127.0.0.1 only: the same echo server reached as `localhost` must get no trace headers.
 */
const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'isotel-instr-'));
const spansFile = join(dir, 'app.spans.jsonl');
let logger: Logger;
let http: typeof Http;
let echoPort = 0;
const servers: Http.Server[] = [];

async function listen(server: Http.Server, host = '127.0.0.1'): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

const flush = () => logger.flush();
const serverSpan = (spans: SpanRecord[], route: string) => spans.find((s) => s.kind === 'SERVER' && s.attributes['url.path'] === route);

beforeAll(async () => {
  logger = await configureLogger({
    config: {
      logger: {
        service_name: 'instr-test',
        enable_console: false,
        data_dir: join(dir, 'data'),
        backends: [{ backend_type: 'filesystem', config: { log_file: join(dir, 'app.jsonl') } }],
        tracing: { propagate_to: ['127.0.0.1'] },
      },
    },
    watch: false,
    exitHooks: false,
  });
  http = require('node:http') as typeof Http;
  // Dual stack: reachable as 127.0.0.1 (allowed) and as localhost (not in this test's propagate_to).
  echoPort = await listen(http.createServer((req, res) => res.end(JSON.stringify(req.headers))), '::');
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await logger?.close();
  rmSync(dir, { recursive: true, force: true });
});

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe('official instrumentations under isotel', () => {
  it('records the http server span with http and fetch client children; traceparent reaches 127.0.0.1 and not localhost', async () => {
    const appPort = await listen(
      http.createServer((_req, res) => {
        void (async () => {
          const seen = {
            httpAllowed: JSON.parse(await httpGet(`http://127.0.0.1:${echoPort}/echo-http`)) as Record<string, string>,
            httpDenied: JSON.parse(await httpGet(`http://localhost:${echoPort}/echo-http-denied`)) as Record<string, string>,
            fetchAllowed: (await (await fetch(`http://127.0.0.1:${echoPort}/echo-fetch`)).json()) as Record<string, string>,
            fetchDenied: (await (await fetch(`http://localhost:${echoPort}/echo-fetch-denied`)).json()) as Record<string, string>,
          };
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(seen));
        })();
      }),
    );
    const seen = (await (await fetch(`http://127.0.0.1:${appPort}/app`)).json()) as Record<string, Record<string, string>>;
    expect(seen.httpAllowed.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-03$/);
    expect(seen.fetchAllowed.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-03$/);
    expect(seen.httpDenied.traceparent).toBeUndefined();
    expect(seen.fetchDenied.traceparent).toBeUndefined();

    const spans = await waitForSpans(spansFile, flush, (all) => {
      const app = serverSpan(all, '/app');
      return app !== undefined && childrenOf(all, app).length >= 4 && all.filter((s) => s.kind === 'SERVER').length >= 5;
    });
    const app = serverSpan(spans, '/app')!;
    expect(app).toMatchObject({ name: 'GET', kind: 'SERVER', scope: { name: '@opentelemetry/instrumentation-http' } });
    expect(app.attributes).toMatchObject({ 'http.request.method': 'GET', 'url.scheme': 'http', 'http.response.status_code': 200 });
    const clients = childrenOf(spans, app);
    expect(clients.map((s) => s.kind)).toEqual(['CLIENT', 'CLIENT', 'CLIENT', 'CLIENT']);
    const byUrl = (path: string) => clients.find((s) => String(s.attributes['url.full']).endsWith(path))!;
    for (const [path, scope, host] of [
      ['/echo-http', 'instrumentation-http', '127.0.0.1'],
      ['/echo-http-denied', 'instrumentation-http', 'localhost'],
      ['/echo-fetch', 'instrumentation-undici', '127.0.0.1'],
      ['/echo-fetch-denied', 'instrumentation-undici', 'localhost'],
    ] as const) {
      const c = byUrl(path);
      expect(c.scope.name).toBe(`@opentelemetry/${scope}`);
      expect(c.attributes).toMatchObject({ 'http.request.method': 'GET', 'server.address': host, 'server.port': echoPort, 'http.response.status_code': 200 });
    }
    // The allowed calls continue the trace on the echo server; the denied ones start traces of their own there.
    expect(serverSpan(spans, '/echo-http')).toMatchObject({ trace_id: app.trace_id, parent_span_id: byUrl('/echo-http').span_id });
    expect(serverSpan(spans, '/echo-fetch')).toMatchObject({ trace_id: app.trace_id, parent_span_id: byUrl('/echo-fetch').span_id });
    expect(serverSpan(spans, '/echo-http-denied')?.trace_id).not.toBe(app.trace_id);
    expect(serverSpan(spans, '/echo-fetch-denied')?.trace_id).not.toBe(app.trace_id);
  });

  it('records pg and ioredis CLIENT spans as children of the request span, with the stable database attributes', async () => {
    const pg = require('pg') as typeof import('pg');
    const Redis = require('ioredis') as typeof import('ioredis').default;
    const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 1 });
    const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    await redis.connect();
    try {
      const port = await listen(
        http.createServer((_req, res) => {
          void (async () => {
            const r = await pool.query('SELECT $1::int AS n', [41]);
            await redis.set('isotel:instr-test', String(r.rows[0].n + 1), 'EX', 60);
            res.end(await redis.get('isotel:instr-test'));
          })();
        }),
      );
      expect(await (await fetch(`http://127.0.0.1:${port}/db`)).text()).toBe('42');
      const spans = await waitForSpans(spansFile, flush, (all) => {
        const s = serverSpan(all, '/db');
        return s !== undefined && childrenOf(all, s).filter((c) => c.kind === 'CLIENT').length >= 3;
      });
      const children = childrenOf(spans, serverSpan(spans, '/db')!);
      const query = children.find((s) => s.scope.name === '@opentelemetry/instrumentation-pg' && s.attributes['db.query.text'])!;
      expect(query).toMatchObject({ kind: 'CLIENT' });
      expect(query.attributes).toMatchObject({
        'db.system.name': 'postgresql',
        'db.namespace': 'test',
        'db.query.text': 'SELECT $1::int AS n',
        'server.address': '127.0.0.1',
        'server.port': 5432,
      });
      const redisSpans = children.filter((s) => s.scope.name === '@opentelemetry/instrumentation-ioredis');
      expect(redisSpans.map((s) => s.attributes['db.operation.name'])).toEqual(['set', 'get']);
      expect(redisSpans[0].attributes).toMatchObject({ 'db.system.name': 'redis', 'server.address': '127.0.0.1', 'server.port': 6379 });
    } finally {
      await pool.end();
      redis.disconnect();
    }
  });

  it('gives an Express request one SERVER span (named by route) that expressMiddleware adopts, with express spans under it', async () => {
    const express = require('express') as typeof import('express');
    const app = express();
    app.use(expressMiddleware(logger));
    app.get('/users/:id', (req, res) => {
      logger.info('loading user', { id: req.params.id });
      res.json({ id: req.params.id });
    });
    const port = await listen(http.createServer(app));
    const res = await fetch(`http://127.0.0.1:${port}/users/7`);
    expect(await res.json()).toEqual({ id: '7' });
    const spans = await waitForSpans(spansFile, flush, (all) => serverSpan(all, '/users/7') !== undefined);
    const servers = spans.filter((s) => s.kind === 'SERVER' && s.attributes['url.path'] === '/users/7');
    expect(servers).toHaveLength(1);
    const server = servers[0];
    expect(server).toMatchObject({ name: 'GET /users/:id', scope: { name: '@opentelemetry/instrumentation-http' } });
    expect(server.attributes).toMatchObject({ 'http.route': '/users/:id', correlation_id: res.headers.get('x-correlation-id') });
    expect(res.headers.get('server-timing')).toContain(`00-${server.trace_id}-${server.span_id}-03`);
    const handler = childrenOf(spans, server).find((s) => s.scope.name === '@opentelemetry/instrumentation-express' && s.attributes['express.type'] === 'request_handler');
    expect(handler?.attributes['http.route']).toBe('/users/:id');
  });

  it('gives a Fastify request one SERVER span that fastifyPlugin adopts, with the route and fastify spans under it', async () => {
    const fastify = (require('fastify') as { default: typeof import('fastify').default }).default;
    const app = fastify();
    await app.register(fastifyPlugin(logger));
    app.get('/items/:id', async (req) => ({ id: (req.params as { id: string }).id }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const port = (app.server.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/items/9`);
      expect(await res.json()).toEqual({ id: '9' });
      const spans = await waitForSpans(spansFile, flush, (all) => serverSpan(all, '/items/9') !== undefined);
      const servers = spans.filter((s) => s.kind === 'SERVER' && s.attributes['url.path'] === '/items/9');
      expect(servers).toHaveLength(1);
      expect(servers[0]).toMatchObject({ name: 'GET /items/:id', scope: { name: '@opentelemetry/instrumentation-http' } });
      expect(servers[0].attributes).toMatchObject({ 'http.route': '/items/:id', correlation_id: res.headers.get('x-correlation-id') });
      expect(childrenOf(spans, servers[0]).some((s) => s.scope.name === '@opentelemetry/instrumentation-fastify')).toBe(true);
    } finally {
      await app.close();
    }
  });
});
