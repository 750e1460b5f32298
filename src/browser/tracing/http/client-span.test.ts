import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RecordingTracer, recordingTracer } from '../../testing/spans.js';
import { quietDiag } from '../../testing/fakes.js';
import { clientSpans, type ClientSpanOptions } from './client-span.js';
import { httpSpanNamer } from './span-name.js';

let rec: RecordingTracer;
beforeEach(() => (rec = recordingTracer()));
afterEach(() => rec.close());

function start(over: Partial<ClientSpanOptions> = {}) {
  return clientSpans({
    tracer: rec.tracer,
    base: () => 'https://shop.example.com/cart/',
    origin: 'https://shop.example.com',
    propagateTo: [],
    ignore: (url) => url.startsWith('https://ingest.example.com/v1/'),
    name: httpSpanNamer(undefined, quietDiag()),
    ...over,
  });
}

function headersOf(client: { inject(set: (k: string, v: string) => void): void }): Record<string, string> {
  const h: Record<string, string> = {};
  client.inject((k, v) => (h[k] = v));
  return h;
}

describe('client spans', () => {
  it('records a CLIENT span with the HTTP semantic-convention attributes', () => {
    const client = start()('post', 'items?id=7');
    client?.end(201);
    const [span] = rec.ended();
    expect(span.name).toBe('POST /cart/items');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toEqual({
      'http.request.method': 'POST',
      'http.request.method_original': 'post',
      'url.full': 'https://shop.example.com/cart/items?id=7',
      'url.template': '/cart/items',
      'server.address': 'shop.example.com',
      'server.port': 443,
      'http.response.status_code': 201,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('names unknown methods _OTHER and defaults to GET', () => {
    start()('PURGE', 'http://cdn.example.com:8080/a')?.end(200);
    start()(undefined, '/b')?.end(200);
    const [purge, get] = rec.ended();
    expect(purge.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE', 'server.port': 8080 });
    expect(purge.name).toBe('HTTP /a');
    expect(get.attributes['http.request.method']).toBe('GET');
    expect(get.attributes['http.request.method_original']).toBeUndefined();
  });

  it('marks 4xx/5xx answers and failed requests as errors, and ends a span once', () => {
    const a = start()('GET', '/a');
    a?.end(503);
    a?.end(200);
    start()('GET', '/b')?.end(undefined, 'TypeError');
    const [server, network] = rec.ended();
    expect(rec.ended()).toHaveLength(2);
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
    expect(network.status.code).toBe(SpanStatusCode.ERROR);
    expect(network.attributes['error.type']).toBe('TypeError');
    expect(network.attributes['http.response.status_code']).toBeUndefined();
  });

  it("never traces the SDK's own sends, nor what is not a URL", () => {
    expect(start()('POST', 'https://ingest.example.com/v1/logs?sent_at=1')).toBeUndefined();
    expect(start()('GET', 'http://[bad')).toBeUndefined();
    expect(rec.ended()).toHaveLength(0);
  });

  it('puts traceparent naming the span on same-origin requests', () => {
    const client = start()('GET', '/api');
    const h = headersOf(client!);
    client?.end(200);
    const sc = rec.ended()[0].spanContext();
    expect(h).toEqual({ traceparent: `00-${sc.traceId}-${sc.spanId}-01` });
  });

  it('puts trace headers on other origins only when allowed (whole URL string, or RegExp)', () => {
    const s = start({ propagateTo: ['https://api.example.com/exact', /^https:\/\/partner\.example\.com\//g] });
    expect(headersOf(s('GET', 'https://api.example.com/exact')!)).toHaveProperty('traceparent');
    expect(headersOf(s('GET', 'https://api.example.com/exact/more')!)).toEqual({});
    // A /g RegExp matches every time (no lastIndex state).
    expect(headersOf(s('GET', 'https://partner.example.com/x')!)).toHaveProperty('traceparent');
    expect(headersOf(s('GET', 'https://partner.example.com/y')!)).toHaveProperty('traceparent');
    expect(headersOf(s('GET', 'https://elsewhere.example.com/')!)).toEqual({});
  });
});
