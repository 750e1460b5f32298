import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as http from 'node:http';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { createIngestHandler, expressIngest, fastifyIngest, type IngestHandler } from '../src/collector-endpoint/index.js';
import { logRecordJson, logsRequest } from './helpers/otlp.js';

/**
 * The Express and Fastify adapters mounted under /otel in real apps, over real HTTP: the ingest answers its
 * routes under the prefix, leaves the app's other routes to the app, and stores into the JSONL backend.
 */
const ORIGIN = 'http://localhost:3000';

interface Mounted {
  url: string;
  handler: IngestHandler;
  logs(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

async function openIngest(dir: string): Promise<IngestHandler> {
  return createIngestHandler({
    config: {
      logger: {
        service_name: 'adapter-test',
        enable_console: false,
        data_dir: join(dir, 'data'),
        backends: [{ backend_type: 'filesystem', config: { log_file: join(dir, 'logs', 'ingest.jsonl') } }],
      },
      ingest: { wal_dir: join(dir, 'wal'), cors_allowed_origins: [ORIGIN] },
    },
    diagSink: () => {},
  });
}

function readLogs(dir: string): Array<Record<string, unknown>> {
  const f = join(dir, 'logs', 'ingest.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
}

async function mountExpress(): Promise<Mounted> {
  const dir = mkdtempSync(join(tmpdir(), 'isotel-express-'));
  const handler = await openIngest(dir);
  const app = express();
  app.use('/otel', expressIngest(handler));
  app.use(express.json());
  app.post('/v1/logs', (_req, res) => void res.status(299).send('app route'));
  app.get('/hello', (_req, res) => void res.send('hello from the app'));
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    handler,
    logs: () => readLogs(dir),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await handler.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function mountFastify(): Promise<Mounted> {
  const dir = mkdtempSync(join(tmpdir(), 'isotel-fastify-'));
  const handler = await openIngest(dir);
  const app: FastifyInstance = Fastify();
  await app.register(fastifyIngest(handler), { prefix: '/otel' });
  app.post('/v1/logs', async (_req, reply) => reply.code(299).send('app route'));
  app.get('/hello', async () => 'hello from the app');
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    handler,
    logs: () => readLogs(dir),
    async close() {
      app.server.closeAllConnections();
      await app.close();
      await handler.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const post = (url: string, body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe.each([
  ['Express 5 (expressIngest)', mountExpress],
  ['Fastify 5 (fastifyIngest)', mountFastify],
])('%s mounted under /otel', (_name, mount) => {
  let m: Mounted;
  beforeAll(async () => {
    m = await mount();
  });
  afterAll(async () => {
    await m?.close();
  });

  it('answers POST /otel/v1/logs with 200 and the record lands in the JSONL backend', async () => {
    const before = m.logs().length;
    const res = await post(`${m.url}/otel/v1/logs`, JSON.stringify(logsRequest([logRecordJson(1, { body: { stringValue: 'plain body' } })])));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({});
    expect(await m.handler.drain(5000)).toBe(true);
    const logs = m.logs();
    expect(logs).toHaveLength(before + 1);
    expect(logs.at(-1)?.body).toBe('plain body');
  });

  it('answers a CORS preflight for an allowed origin with the allowed headers', async () => {
    const pre = await fetch(`${m.url}/otel/v1/logs`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toContain('content-type');
    expect(pre.headers.get('access-control-allow-headers')).toContain('traceparent');
    const evil = await post(`${m.url}/otel/v1/logs`, JSON.stringify(logsRequest([logRecordJson(9)])), { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
  });

  it('decodes a gzip body (the app does not parse it first)', async () => {
    const before = m.logs().length;
    const body = gzipSync(Buffer.from(JSON.stringify(logsRequest([logRecordJson(2, { body: { stringValue: 'gzipped body' } })]))));
    const res = await post(`${m.url}/otel/v1/logs`, body, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(await m.handler.drain(5000)).toBe(true);
    const logs = m.logs();
    expect(logs).toHaveLength(before + 1);
    expect(logs.at(-1)?.body).toBe('gzipped body');
  });

  it('serves the ingest routes only under the prefix and leaves the app its own routes', async () => {
    const before = m.logs().length;
    const outside = await post(`${m.url}/v1/logs`, JSON.stringify(logsRequest([logRecordJson(3)])));
    expect(outside.status).toBe(299);
    expect(await outside.text()).toBe('app route');
    const hello = await fetch(`${m.url}/hello`);
    expect(hello.status).toBe(200);
    expect(await hello.text()).toBe('hello from the app');
    expect((await fetch(`${m.url}/health`)).status).toBe(404);
    const health = await fetch(`${m.url}/otel/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('healthy');
    expect(await m.handler.drain(5000)).toBe(true);
    expect(m.logs()).toHaveLength(before);
  });
});
