import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { expressMiddleware } from './express.js';
import { createHarness, listen, serverTimingTraceparent, sleep, PARENT_SPAN_ID, PARENT_TRACE_ID, TRACEPARENT, type LoggerHarness, type TestServer } from './testing.js';

let h: LoggerHarness;
let srv: TestServer;

beforeAll(async () => {
  h = await createHarness();
  const app = express();
  app.use(expressMiddleware(h.logger, { ignorePaths: ['/health'] }));
  app.use(express.json());
  app.get('/health', (_req, res) => {
    res.send('up');
  });
  app.post('/items/:id', async (req, res) => {
    await sleep(5);
    h.logger.info('saving item', { id: req.params.id, name: (req.body as { name?: string }).name });
    res.json({ correlationId: res.locals.correlationId, reqCorrelationId: (req as { correlationId?: string }).correlationId });
  });
  app.get('/fail', () => {
    throw new Error('handler failed');
  });
  const api = express.Router();
  api.get('/users/:userId', (req, res) => {
    res.send(req.params.userId);
  });
  app.use('/api', api);
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).send(err.message);
  });
  srv = await listen(createServer(app));
});
afterAll(async () => {
  await srv.close();
  await h.close();
});

describe('expressMiddleware', () => {
  it('continues the caller trace; the route handler logs after body parsing and await carry the server span', async () => {
    const res = await fetch(`${srv.url}/items/42?token=abc&page=1`, {
      method: 'POST',
      headers: { traceparent: TRACEPARENT, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'lamp' }),
    });
    const body = (await res.json()) as { correlationId: string; reqCorrelationId: string };
    const span = await h.span((s) => s.trace_id === PARENT_TRACE_ID && s.kind === 'SERVER');
    expect(span.parent_span_id).toBe(PARENT_SPAN_ID);
    expect(span.name).toBe('POST /items/:id');
    expect(span.attributes).toMatchObject({
      'http.route': '/items/:id',
      'http.request.method': 'POST',
      'url.path': '/items/42',
      'url.query': 'token=[REDACTED]&page=1',
      'http.response.status_code': 200,
    });
    expect(serverTimingTraceparent(res)).toMatchObject({ traceId: PARENT_TRACE_ID, spanId: span.span_id });
    const cid = res.headers.get('x-correlation-id');
    expect(body).toEqual({ correlationId: cid, reqCorrelationId: cid });
    const log = h.logs().find((r) => r.body === 'saving item');
    expect(log).toMatchObject({ trace_id: PARENT_TRACE_ID, span_id: span.span_id, attributes: { id: '42', name: 'lamp', correlation_id: cid } });
    const done = h.logs().find((r) => r.body === 'request completed' && r.span_id === span.span_id);
    expect(done?.attributes).toMatchObject({ 'http.route': '/items/:id', 'http.response.status_code': 200 });
  });

  it('keeps the request context in body-parser callbacks when the body arrives after the headers', async () => {
    const chunks = ['{"name":', '"slow lamp"}'];
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = chunks.shift();
        if (next === undefined) return controller.close();
        await sleep(20);
        controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const res = await fetch(`${srv.url}/items/43`, {
      method: 'POST',
      headers: { traceparent: TRACEPARENT.replace(PARENT_SPAN_ID, '00f067aa0ba902b7'), 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(200);
    const span = await h.span((s) => s.parent_span_id === '00f067aa0ba902b7');
    const log = h.logs().find((r) => r.body === 'saving item' && r.attributes.name === 'slow lamp');
    expect(log).toMatchObject({ trace_id: PARENT_TRACE_ID, span_id: span.span_id });
  });

  it('names the span with the mount path of a sub-router and starts a new trace without a traceparent', async () => {
    const res = await fetch(`${srv.url}/api/users/7`);
    expect(await res.text()).toBe('7');
    const span = await h.span((s) => s.attributes['url.path'] === '/api/users/7');
    expect(span.name).toBe('GET /api/users/:userId');
    expect(span.attributes['http.route']).toBe('/api/users/:userId');
    expect(span.trace_id).not.toBe(PARENT_TRACE_ID);
    expect(span.parent_span_id).toBeUndefined();
  });

  it('marks a failed handler ERROR through its 500, and keeps unmatched requests named by method only', async () => {
    expect((await fetch(`${srv.url}/fail`)).status).toBe(500);
    expect((await fetch(`${srv.url}/nowhere/123`)).status).toBe(404);
    const fail = await h.span((s) => s.attributes['url.path'] === '/fail');
    expect(fail.status.code).toBe('ERROR');
    expect(fail.name).toBe('GET /fail');
    const missing = await h.span((s) => s.attributes['url.path'] === '/nowhere/123');
    expect(missing.name).toBe('GET');
    expect(missing.attributes['http.route']).toBeUndefined();
    expect(missing.status.code).toBe('UNSET');
  });

  it('skips ignored paths', async () => {
    const res = await fetch(`${srv.url}/health`);
    expect(await res.text()).toBe('up');
    expect(res.headers.get('server-timing')).toBeNull();
    await h.logger.flush();
    expect(h.spans().some((s) => s.attributes['url.path'] === '/health')).toBe(false);
  });
});
