import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { recordingProvider } from '../testing/spans.js';
import type { EndedSpan as ReadableSpan } from './sdk/span.js';
import { describe, expect, it } from 'vitest';
import { serverTraceparent } from './server-timing.js';
import { toOtlpSpan } from './otlp-span.js';

describe('toOtlpSpan', () => {
  it('converts an ended span with events, links, status and parent', () => {
    const ended: ReadableSpan[] = [];
    const tracer = recordingProvider(ended);
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
    const rec = toOtlpSpan(ended[0], resource, scope);
    const kv = (key: string, value: object) => ({ key, value });
    expect(rec).toEqual({
      traceId: ended[1].spanContext().traceId,
      spanId: ended[0].spanContext().spanId,
      parentSpanId: ended[1].spanContext().spanId,
      flags: 1,
      name: 'GET /api/cart',
      kind: 3,
      startTimeUnixNano: '1751798096000000000',
      endTimeUnixNano: '1751798096100500000',
      attributes: [
        kv('http.request.method', { stringValue: 'GET' }),
        kv('list', { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } }),
      ],
      events: [{ timeUnixNano: '1751798096050000000', name: 'responseEnd', attributes: [kv('size', { intValue: '10' })] }],
      links: [{ traceId: link.traceId, spanId: link.spanId, flags: 1, attributes: [kv('isotel.link.type', { stringValue: 'server' })] }],
      status: { code: 2, message: 'HTTP 503' },
      resource,
      scope,
    });
    expect(rec.resource).toBe(resource);
  });

  it('writes times before 1970-01-01T00:00:01Z and exact nanoseconds', () => {
    const ended: ReadableSpan[] = [];
    recordingProvider(ended).startSpan('early', { startTime: [0, 5] }, ROOT_CONTEXT).end([1, 7]);
    expect([toOtlpSpan(ended[0], {}, { name: 'x' }).startTimeUnixNano, toOtlpSpan(ended[0], {}, { name: 'x' }).endTimeUnixNano]).toEqual(['5', '1000000007']);
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
