import { describe, it, expect, afterEach } from 'vitest';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDiag } from '../../../shared/diag.js';
import { createElasticsearchBackend } from './backend.js';
import { makeLog } from './test-records.js';

/**
 * The start-up policy and whole-request errors, against a fake server on a local port (the real-server
 * behaviour is in test/elasticsearch.test.ts).
 */
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const servers: http.Server[] = [];

async function fakeServer(handler: Handler): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function reply(res: http.ServerResponse, status: number, body: unknown, product = true): void {
  res.writeHead(status, { 'content-type': 'application/json', ...(product ? { 'x-elastic-product': 'Elasticsearch' } : {}) });
  res.end(JSON.stringify(body));
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function context() {
  const warnings: string[] = [];
  const diag = createDiag((level, message) => {
    if (level !== 'debug') warnings.push(message);
  });
  return { ctx: { dataDir: '/tmp', diag }, warnings };
}

const TRACE = '0af7651916cd43dd8448eb211c80319c';

describe('createElasticsearchBackend start-up', () => {
  it('fails naming basic_auth when the server rejects the credentials', async () => {
    const host = await fakeServer((_req, res) =>
      reply(res, 401, { error: { type: 'security_exception', reason: 'unable to authenticate user [elastic]' }, status: 401 }),
    );
    const { ctx } = context();
    await expect(createElasticsearchBackend({ hosts: [host], basic_auth: ['elastic', 'wrong'] }, ctx)).rejects.toThrow(
      /rejected the credentials \(check logger\.backends\[i\]\.config\.basic_auth\)/,
    );
  });

  it('fails naming api_key when the key lacks privileges (403)', async () => {
    const host = await fakeServer((_req, res) => reply(res, 403, { error: { type: 'security_exception', reason: 'action unauthorized' }, status: 403 }));
    const { ctx } = context();
    await expect(createElasticsearchBackend({ hosts: [host], api_key: 'a2V5' }, ctx)).rejects.toThrow(/config\.api_key/);
  });

  it('fails naming hosts when the server is not Elasticsearch', async () => {
    const host = await fakeServer((_req, res) => reply(res, 200, { acknowledged: true }, false));
    const { ctx } = context();
    await expect(createElasticsearchBackend({ hosts: [host] }, ctx)).rejects.toThrow(/is not Elasticsearch \(check logger\.backends\[i\]\.config\.hosts\)/);
  });

  it('does not fail when the server is unreachable: it warns, and writes are retryable', async () => {
    const { ctx, warnings } = context();
    const backend = await createElasticsearchBackend({ hosts: ['http://127.0.0.1:9'], retry_delay: 0.5 }, ctx);
    expect(warnings.join('\n')).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9 \(check logger\.backends\[i\]\.config\.hosts\)/);
    const result = await backend.write({ logs: [makeLog(1, TRACE)], spans: [], metrics: [] });
    expect(result).toMatchObject({ status: 'retryable', delayMs: 500, reason: expect.stringContaining('cannot reach http://127.0.0.1:9') });
    expect(await backend.ping?.()).toBe(false);
    await backend.close();
    await backend.close();
  });

  it('installs the templates on the first write after an outage at start-up', async () => {
    let up = false;
    const seen: string[] = [];
    const host = await fakeServer((req, res) => {
      if (!up) return reply(res, 503, { error: { type: 'master_not_discovered_exception', reason: 'starting' }, status: 503 });
      seen.push(`${req.method} ${req.url?.split('?')[0]}`);
      if (req.url?.startsWith('/_bulk')) return reply(res, 200, { errors: false });
      return reply(res, 200, { acknowledged: true });
    });
    const { ctx, warnings } = context();
    const backend = await createElasticsearchBackend({ hosts: [host] }, ctx);
    expect(warnings).toHaveLength(1);
    up = true;
    expect(await backend.write({ logs: [makeLog(1, TRACE)], spans: [], metrics: [] })).toEqual({ status: 'success' });
    expect(seen).toEqual(['PUT /_index_template/isotel-logs', 'PUT /_index_template/isotel-traces', 'PUT /_index_template/isotel-metrics', 'POST /_bulk']);
    await backend.close();
  });
});

describe('write across a connection outage', () => {
  it('answers retryable while connections fail and succeeds as soon as the server answers again', async () => {
    let down = false;
    const host = await fakeServer((req, res) => {
      if (down) return req.socket.destroy();
      reply(res, 200, req.url?.startsWith('/_bulk') ? { errors: false } : { acknowledged: true });
    });
    const { ctx } = context();
    const backend = await createElasticsearchBackend({ hosts: [host] }, ctx);
    const batch = { logs: [makeLog(1, TRACE)], spans: [], metrics: [] };
    down = true;
    for (let i = 0; i < 3; i++) expect((await backend.write(batch)).status).toBe('retryable');
    expect(await backend.ping?.()).toBe(false);
    down = false;
    expect(await backend.ping?.()).toBe(true);
    expect(await backend.write(batch)).toEqual({ status: 'success' });
    await backend.close();
  });
});

describe('write with whole-request errors', () => {
  it('is retryable on 429 and on 5xx, and a failure for every record on 400', async () => {
    let bulkStatus = 429;
    const host = await fakeServer((req, res) => {
      if (req.url?.startsWith('/_bulk')) return reply(res, bulkStatus, { error: { type: 'some_exception', reason: 'x' }, status: bulkStatus });
      return reply(res, 200, { acknowledged: true });
    });
    const { ctx } = context();
    const backend = await createElasticsearchBackend({ hosts: [host], max_retries: 0 }, ctx);
    const batch = { logs: [makeLog(1, TRACE), makeLog(2, TRACE)], spans: [], metrics: [] };
    expect((await backend.write(batch)).status).toBe('retryable');
    bulkStatus = 502;
    expect((await backend.write(batch)).status).toBe('retryable');
    bulkStatus = 400;
    const result = await backend.write(batch);
    expect(result.status === 'failure' && result.reasons.map((r) => r.id)).toEqual(batch.logs.map((r) => r.record_id));
    await backend.close();
  });
});

describe('write of a batch over http.max_content_length (413)', () => {
  it('splits the batch in halves until each request fits, and refuses only a record that never fits', async () => {
    const LIMIT = 4_000;
    const stored: string[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (!req.url?.startsWith('/_bulk')) return reply(res, 200, { acknowledged: true });
        if (body.length > LIMIT) return reply(res, 413, { error: { type: 'content_too_long', reason: 'too long' }, status: 413 });
        for (const line of body.toString().split('\n')) {
          const id = /"_id":"([^"]+)"/.exec(line)?.[1];
          if (id) stored.push(id);
        }
        reply(res, 200, { errors: false });
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { ctx } = context();
    const backend = await createElasticsearchBackend({ hosts: [host], max_retries: 0 }, ctx);
    const logs = Array.from({ length: 16 }, (_, i) => makeLog(i, TRACE));
    const huge = { ...makeLog(99, TRACE), attributes: { blob: 'x'.repeat(10_000) } };
    const result = await backend.write({ logs: [...logs, huge], spans: [], metrics: [] });
    expect(result).toEqual({ status: 'failure', reasons: [{ id: huge.record_id, reason: expect.stringMatching(/413.*larger than http\.max_content_length/) }] });
    expect(stored.sort()).toEqual(logs.map((r) => r.record_id).sort());
    expect(ctx.diag.counters()['elasticsearch.too_large']).toBe(1);
    await backend.close();
  });
});
