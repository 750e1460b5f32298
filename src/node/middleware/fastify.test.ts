import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyPlugin } from './fastify.js';
import { createHarness, serverTimingTraceparent, sleep, PARENT_SPAN_ID, PARENT_TRACE_ID, TRACEPARENT, type LoggerHarness } from './testing.js';

let h: LoggerHarness;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  h = await createHarness();
  app = Fastify({ logger: false });
  await app.register(fastifyPlugin(h.logger, { ignorePaths: ['/health'] }));
  app.get('/health', async () => 'up');
  // Routes in a child plugin: the hooks must reach them (skip-override puts them on the root).
  await app.register(async (child) => {
    child.post<{ Params: { id: string }; Body: { name: string } }>('/items/:id', async (request) => {
      h.logger.info('item received', { id: request.params.id });
      await sleep(5);
      h.logger.info('item saved', { name: request.body.name });
      return { correlationId: (request as { correlationId?: string }).correlationId };
    });
    child.get('/fail', async () => {
      await sleep(1);
      throw new Error('inventory down');
    });
    child.get('/teapot', async (_request, reply) => reply.code(418).send('short and stout'));
  });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await h.close();
});

describe('fastifyPlugin', () => {
  it('continues the caller trace; handler logs after body parsing and await carry the server span', async () => {
    const res = await fetch(`${url}/items/9?api_key=s3cr3t&view=full`, {
      method: 'POST',
      headers: { traceparent: TRACEPARENT, 'content-type': 'application/json', 'x-correlation-id': 'corr-123' },
      body: JSON.stringify({ name: 'desk' }),
    });
    expect(await res.json()).toEqual({ correlationId: 'corr-123' });
    expect(res.headers.get('x-correlation-id')).toBe('corr-123');
    const span = await h.span((s) => s.trace_id === PARENT_TRACE_ID && s.kind === 'SERVER');
    expect(span.parent_span_id).toBe(PARENT_SPAN_ID);
    expect(span.name).toBe('POST /items/:id');
    expect(span.attributes).toMatchObject({
      'http.route': '/items/:id',
      'url.path': '/items/9',
      'url.query': 'api_key=[REDACTED]&view=full',
      'http.response.status_code': 200,
      correlation_id: 'corr-123',
    });
    expect(serverTimingTraceparent(res)).toMatchObject({ traceId: PARENT_TRACE_ID, spanId: span.span_id });
    for (const body of ['item received', 'item saved']) {
      const log = h.logs().find((r) => r.body === body);
      expect(log).toMatchObject({ trace_id: PARENT_TRACE_ID, span_id: span.span_id });
      expect(log?.attributes.correlation_id).toBe('corr-123');
    }
  });

  it('keeps the context when the body arrives after the headers (the handler runs from the parser callback)', async () => {
    const chunks = ['{"name":', '"slow desk"}'];
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = chunks.shift();
        if (next === undefined) return controller.close();
        await sleep(20);
        controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const res = await fetch(`${url}/items/10`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    const cid = res.headers.get('x-correlation-id');
    expect(await res.json()).toEqual({ correlationId: cid });
    const span = await h.span((s) => s.attributes['url.path'] === '/items/10');
    for (const log of h.logs().filter((r) => r.attributes.id === '10' || r.attributes.name === 'slow desk')) {
      expect(log).toMatchObject({ trace_id: span.trace_id, span_id: span.span_id, attributes: { correlation_id: cid } });
    }
    expect(h.logs().filter((r) => r.span_id === span.span_id && r.body !== 'request completed')).toHaveLength(2);
  });

  it('starts a new trace without a traceparent, and with a malformed one', async () => {
    await fetch(`${url}/teapot`);
    await fetch(`${url}/teapot?second=1`, { headers: { traceparent: 'not-a-traceparent' } });
    await h.logger.flush();
    const spans = await Promise.all([
      h.span((s) => s.attributes['url.path'] === '/teapot' && s.attributes['url.query'] === undefined),
      h.span((s) => s.attributes['url.query'] === 'second=1'),
    ]);
    for (const span of spans) {
      expect(span.trace_id).not.toBe(PARENT_TRACE_ID);
      expect(span.parent_span_id).toBeUndefined();
      expect(span.name).toBe('GET /teapot');
      expect(span.status.code).toBe('UNSET');
      expect(h.logs().find((r) => r.span_id === span.span_id && r.body === 'request completed')?.severity_text).toBe('WARN');
    }
    expect(spans[0].trace_id).not.toBe(spans[1].trace_id);
  });

  it('records a thrown handler error on the span with status ERROR', async () => {
    expect((await fetch(`${url}/fail`)).status).toBe(500);
    const span = await h.span((s) => s.attributes['url.path'] === '/fail');
    expect(span.status).toEqual({ code: 'ERROR', message: 'inventory down' });
    expect(span.attributes['http.response.status_code']).toBe(500);
    expect(span.events.some((e) => e.name === 'exception' && e.attributes['exception.message'] === 'inventory down')).toBe(true);
  });

  it('names unmatched requests by method only and gives a plugin registered twice one span per request', async () => {
    const twice = Fastify({ logger: false });
    await twice.register(fastifyPlugin(h.logger));
    await twice.register(fastifyPlugin(h.logger));
    twice.get('/once', async () => 'ok');
    const base = await twice.listen({ port: 0, host: '127.0.0.1' });
    try {
      const res = await fetch(`${base}/once`);
      expect(res.headers.get('server-timing')?.match(/traceparent/g)).toHaveLength(1);
      expect((await fetch(`${base}/no/such/route`)).status).toBe(404);
      const missing = await h.span((s) => s.attributes['url.path'] === '/no/such/route');
      expect(missing.name).toBe('GET');
      expect(missing.attributes['http.route']).toBeUndefined();
      await h.logger.flush();
      expect(h.spans().filter((s) => s.attributes['url.path'] === '/once')).toHaveLength(1);
    } finally {
      await twice.close();
    }
  });

  it('skips ignored paths', async () => {
    const res = await fetch(`${url}/health`);
    expect(await res.text()).toBe('up');
    expect(res.headers.get('server-timing')).toBeNull();
    await h.logger.flush();
    expect(h.spans().some((s) => s.attributes['url.path'] === '/health')).toBe(false);
  });
});
