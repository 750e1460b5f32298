import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { serverTraceparent } from './server-timing.js';
import { toSpanRecord } from './span-record.js';

describe('toSpanRecord', () => {
  it('converts an ended span with events, links, status and parent', () => {
    const ended: ReadableSpan[] = [];
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ export: (s, done) => (ended.push(...s), done({ code: 0 })), shutdown: async () => undefined })],
    });
    const tracer = provider.getTracer('test');
    const link = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    const parent = tracer.startSpan('parent');
    {
      const child = tracer.startSpan('GET /api/cart', {
        kind: SpanKind.CLIENT,
        startTime: 1_751_798_096_000,
        attributes: { 'http.request.method': 'GET', list: ['a', 'b'] },
        links: [{ context: link, attributes: { 'isotel.link.type': 'server' } }],
      }, trace.setSpan(ROOT_CONTEXT, parent));
      child.addEvent('responseEnd', { size: 10 }, 1_751_798_096_050);
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'HTTP 503' });
      child.end(1_751_798_096_100.5);
      parent.end();
    }
    const resource = { 'service.name': 'shop-web' };
    const scope = { name: 'isotel' };
    const rec = toSpanRecord(ended[0], resource, scope);
    expect(rec).toMatchObject({
      name: 'GET /api/cart',
      kind: 'CLIENT',
      start_time: '2025-07-06T10:34:56.000000Z',
      end_time: '2025-07-06T10:34:56.100500Z',
      duration_ms: 100.5,
      status: { code: 'ERROR', message: 'HTTP 503' },
      attributes: { 'http.request.method': 'GET', list: ['a', 'b'] },
      events: [{ name: 'responseEnd', time: '2025-07-06T10:34:56.050000Z', attributes: { size: 10 } }],
      links: [{ trace_id: link.traceId, span_id: link.spanId, attributes: { 'isotel.link.type': 'server' } }],
      parent_span_id: ended[1].spanContext().spanId,
      trace_id: ended[1].spanContext().traceId,
    });
    expect(rec.resource).toBe(resource);
  });
});

describe('serverTraceparent', () => {
  it('reads the server trace from the navigation entry Server-Timing', () => {
    const entry = { serverTiming: [{ name: 'db', description: '' }, { name: 'traceparent', description: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }] };
    expect(serverTraceparent(entry)).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    expect(serverTraceparent({ serverTiming: [{ name: 'traceparent', description: 'garbage' }] })).toBeNull();
    expect(serverTraceparent(undefined)).toBeNull();
  });
});
