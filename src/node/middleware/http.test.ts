import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer } from 'node:http';
import type { Tracer } from '@opentelemetry/api';
import { createDiag } from '../../shared/diag.js';
import { httpMiddleware } from './http.js';
import { createHarness, listen, serverTimingTraceparent, sleep, PARENT_SPAN_ID, PARENT_TRACE_ID, TRACEPARENT, type LoggerHarness } from './testing.js';

let h: LoggerHarness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe('httpMiddleware (node:http)', () => {
  it('continues the caller trace as a SERVER span that the handler logs carry across await', async () => {
    const seen: Array<string | undefined> = [];
    const srv = await listen(
      httpMiddleware(h.logger, async (req, res) => {
        seen.push(req.correlationId);
        await sleep(5);
        h.logger.info('handling item', { step: 'after-await' });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      }),
    );
    try {
      const res = await fetch(`${srv.url}/items/42?page=2`, {
        headers: { traceparent: TRACEPARENT, tracestate: 'vendor=abc', 'user-agent': 'mw-test/1' },
      });
      expect(await res.text()).toBe('ok');
      const timing = serverTimingTraceparent(res);
      const span = await h.span((s) => s.trace_id === PARENT_TRACE_ID && s.kind === 'SERVER');
      expect(span.parent_span_id).toBe(PARENT_SPAN_ID);
      expect(span.name).toBe('GET /items/42');
      expect(span.trace_state).toBe('vendor=abc');
      expect(span.status.code).toBe('UNSET');
      expect(timing).toEqual({ version: '00', traceId: PARENT_TRACE_ID, spanId: span.span_id, traceFlags: 1 });
      const port = Number(new URL(srv.url).port);
      expect(span.attributes).toMatchObject({
        'http.request.method': 'GET',
        'url.path': '/items/42',
        'url.query': 'page=2',
        'url.scheme': 'http',
        'server.address': '127.0.0.1',
        'server.port': port,
        'user_agent.original': 'mw-test/1',
        'http.response.status_code': 200,
        'network.protocol.version': '1.1',
      });
      expect(span.attributes['client.address']).toBeUndefined();
      expect(span.attributes['http.route']).toBeUndefined();

      const cid = res.headers.get('x-correlation-id');
      expect(cid).toMatch(/^[0-9a-f-]{36}$/);
      expect(seen).toEqual([cid]);
      expect(span.attributes.correlation_id).toBe(cid);
      const inHandler = h.logs().find((r) => r.body === 'handling item');
      expect(inHandler).toMatchObject({ trace_id: PARENT_TRACE_ID, span_id: span.span_id });
      expect(inHandler?.attributes.correlation_id).toBe(cid);
      const done = h.logs().find((r) => r.body === 'request completed' && r.span_id === span.span_id);
      expect(done?.severity_text).toBe('INFO');
      expect(done?.attributes).toMatchObject({ 'http.request.method': 'GET', 'url.path': '/items/42', 'http.response.status_code': 200, correlation_id: cid });
      expect(typeof done?.attributes.duration_ms).toBe('number');
      // 'finish' and 'close' both fire; the span ended once.
      await sleep(20);
      await h.logger.flush();
      expect(h.spans().filter((s) => s.span_id === span.span_id)).toHaveLength(1);
    } finally {
      await srv.close();
    }
  });

  it('runs request stream listeners in the request context when the body arrives after the headers', async () => {
    const srv = await listen(
      httpMiddleware(h.logger, (req, res) => {
        let size = 0;
        req.on('data', (chunk: Buffer) => (size += chunk.length));
        req.on('end', () => {
          h.logger.info('body read', { size });
          res.end();
        });
      }),
    );
    try {
      const chunks = ['first,', 'second'];
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = chunks.shift();
          if (next === undefined) return controller.close();
          await sleep(20);
          controller.enqueue(new TextEncoder().encode(next));
        },
      });
      await fetch(`${srv.url}/upload`, { method: 'PUT', body, duplex: 'half' } as RequestInit);
      const span = await h.span((s) => s.attributes['url.path'] === '/upload');
      expect(h.logs().find((r) => r.body === 'body read')).toMatchObject({ span_id: span.span_id, attributes: { size: 12 } });
    } finally {
      await srv.close();
    }
  });

  it('starts a new trace without a traceparent, or with an invalid one, and echoes the caller correlation id', async () => {
    const srv = await listen(httpMiddleware(h.logger, (req, res) => res.end(req.correlationId)));
    try {
      const none = await fetch(`${srv.url}/fresh-a`, { headers: { 'x-correlation-id': 'order-7781' } });
      expect(await none.text()).toBe('order-7781');
      expect(none.headers.get('x-correlation-id')).toBe('order-7781');
      const bad = await fetch(`${srv.url}/fresh-b`, { headers: { traceparent: `00-${'0'.repeat(32)}-${PARENT_SPAN_ID}-01`, 'x-request-id': 'bad id with spaces' } });
      expect(bad.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
      for (const [path, res] of [['/fresh-a', none], ['/fresh-b', bad]] as const) {
        const span = await h.span((s) => s.attributes['url.path'] === path);
        expect(span.trace_id).toMatch(/^[0-9a-f]{32}$/);
        expect(span.trace_id).not.toBe(PARENT_TRACE_ID);
        expect(span.parent_span_id).toBeUndefined();
        expect(serverTimingTraceparent(res)).toMatchObject({ traceId: span.trace_id, spanId: span.span_id });
      }
    } finally {
      await srv.close();
    }
  });

  it('marks 5xx responses ERROR and logs them at ERROR, 4xx at WARN, and redacts query secrets', async () => {
    const srv = await listen(
      httpMiddleware(h.logger, (req, res) => {
        res.statusCode = req.url?.startsWith('/boom') ? 500 : 404;
        res.end();
      }),
    );
    try {
      await fetch(`${srv.url}/boom?token=s3cr3t-tok&page=2&sig=xyz`);
      await fetch(`${srv.url}/missing`);
      const boom = await h.span((s) => s.attributes['url.path'] === '/boom');
      expect(boom.status.code).toBe('ERROR');
      expect(boom.attributes['http.response.status_code']).toBe(500);
      expect(boom.attributes['url.query']).toBe('token=[REDACTED]&page=2&sig=[REDACTED]');
      const missing = await h.span((s) => s.attributes['url.path'] === '/missing');
      expect(missing.status.code).toBe('UNSET');
      const level = (spanId: string) => h.logs().find((r) => r.body === 'request completed' && r.span_id === spanId)?.severity_text;
      expect(level(boom.span_id)).toBe('ERROR');
      expect(level(missing.span_id)).toBe('WARN');
      expect(JSON.stringify([h.logs(), h.spans()])).not.toContain('s3cr3t-tok');
    } finally {
      await srv.close();
    }
  });

  it('records an error the handler rejects with and passes it on unchanged', async () => {
    const wrapped = httpMiddleware(h.logger, async () => {
      await sleep(1);
      throw new Error('database unavailable');
    });
    const caught: unknown[] = [];
    const srv = await listen((req, res) => {
      Promise.resolve(wrapped(req, res)).catch((err: unknown) => {
        caught.push(err);
        res.statusCode = 503;
        res.end();
      });
    });
    try {
      expect((await fetch(`${srv.url}/throws`)).status).toBe(503);
      const span = await h.span((s) => s.attributes['url.path'] === '/throws');
      expect(span.status).toEqual({ code: 'ERROR', message: 'database unavailable' });
      expect(span.events[0]).toMatchObject({ name: 'exception', attributes: { 'exception.message': 'database unavailable' } });
      expect((caught[0] as Error).message).toBe('database unavailable');
    } finally {
      await srv.close();
    }
  });

  it('ends the span with status ERROR "client aborted" when the client goes away mid-response', async () => {
    const srv = await listen(
      httpMiddleware(h.logger, (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        // never ends: the client aborts
      }),
    );
    try {
      const ac = new AbortController();
      const res = await fetch(`${srv.url}/aborted`, { signal: ac.signal });
      expect(res.status).toBe(200);
      ac.abort();
      const span = await h.span((s) => s.attributes['url.path'] === '/aborted');
      expect(span.status).toEqual({ code: 'ERROR', message: 'client aborted' });
      expect(h.logs().find((r) => r.span_id === span.span_id && r.body === 'request aborted')?.severity_text).toBe('WARN');
    } finally {
      await srv.close();
    }
  });

  it('leaves ignored paths untraced, records client.address only when asked, and can skip the request log', async () => {
    const srv = await listen(
      httpMiddleware(h.logger, (_req, res) => res.end('up'), { ignorePaths: ['/health', /^\/static\//], recordClientAddress: true, logRequests: false }),
    );
    try {
      for (const p of ['/health?probe=1', '/static/app.js']) {
        const res = await fetch(`${srv.url}${p}`);
        expect(await res.text()).toBe('up');
        expect(res.headers.get('server-timing')).toBeNull();
        expect(res.headers.get('x-correlation-id')).toBeNull();
      }
      await fetch(`${srv.url}/client`);
      const span = await h.span((s) => s.attributes['url.path'] === '/client');
      expect(span.attributes['client.address']).toBe('127.0.0.1');
      expect(h.logs().some((r) => r.span_id === span.span_id)).toBe(false);
      expect(h.spans().some((s) => s.attributes['url.path'] === '/health' || s.attributes['url.path'] === '/static/app.js')).toBe(false);
    } finally {
      await srv.close();
    }
  });

  it('serves the request untraced and counts the failure on the diag channel when the instrumentation fails', async () => {
    const diag = createDiag(() => {});
    const tracer = {
      startSpan: () => {
        throw new Error('tracer broke');
      },
    } as unknown as Tracer;
    const broken = { ...h.logger, tracer, diag };
    const srv = await listen(createServer(httpMiddleware(broken, (req, res) => res.end(`served ${String(req.correlationId)}`))));
    try {
      const res = await fetch(`${srv.url}/untraced`, { headers: { traceparent: TRACEPARENT } });
      expect(await res.text()).toBe('served undefined');
      expect(res.headers.get('server-timing')).toBeNull();
      expect(diag.counters()['http.instrumentation_failed']).toBe(1);
    } finally {
      await srv.close();
    }
  });

  it('rejects invalid options at creation, naming the field', () => {
    expect(() => httpMiddleware(h.logger, () => {}, { ignorePaths: [42 as unknown as string] })).toThrow('options.ignorePaths[0]');
    expect(() => httpMiddleware(h.logger, () => {}, { logRequests: 'yes' as unknown as boolean })).toThrow('options.logRequests');
  });
});
