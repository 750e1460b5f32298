import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quietDiag } from '../../testing/fakes.js';
import { type RecordingTracer, recordingTracer } from '../../testing/spans.js';
import { clientSpans } from './client-span.js';
import { httpSpanNamer } from './span-name.js';
import { instrumentFetch } from './fetch.js';

interface Call {
  args: unknown[];
  activeSpanId: string | undefined;
}

let rec: RecordingTracer;
beforeEach(() => (rec = recordingTracer()));
afterEach(() => rec.close());

/** A window whose fetch records its arguments and the active span, and answers `reply`. */
function page(reply: () => Promise<Response>) {
  const calls: Call[] = [];
  const original = (...args: unknown[]): Promise<Response> => {
    calls.push({ args, activeSpanId: trace.getSpan(context.active())?.spanContext().spanId });
    return reply();
  };
  const win: { fetch: (...args: unknown[]) => Promise<Response> } = { fetch: original };
  const start = clientSpans({
    tracer: rec.tracer,
    base: () => 'https://shop.example.com/',
    origin: 'https://shop.example.com',
    propagateTo: [],
    ignore: (url) => url.startsWith('https://shop.example.com/v1/'),
    name: httpSpanNamer(undefined, quietDiag()),
  });
  const undo = instrumentFetch(win, start, quietDiag());
  const fetch = (input: unknown, init?: RequestInit): Promise<Response> => win.fetch(input, init);
  return { win, original, calls, undo, fetch };
}

const headerOf = (call: Call, name: string): string | null => {
  const [input, init] = call.args as [unknown, RequestInit | undefined];
  return input instanceof Request ? input.headers.get(name) : new Headers(init?.headers).get(name);
};

describe('fetch instrumentation', () => {
  it('makes the call in a CLIENT span named by traceparent, as a child of the active span, without touching the caller init', async () => {
    const p = page(async () => new Response('{}', { status: 200 }));
    const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
    const parent = rec.tracer.startSpan('click');
    const res = await context.with(trace.setSpan(context.active(), parent), () => p.fetch('/api/cart', init));
    parent.end();
    expect(res.status).toBe(200);
    const [span] = rec.ended();
    expect(span.name).toBe('POST /api/cart');
    expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(span.attributes).toMatchObject({ 'url.full': 'https://shop.example.com/api/cart', 'http.response.status_code': 200 });
    const call = p.calls[0];
    expect(call.activeSpanId).toBe(span.spanContext().spanId);
    expect(headerOf(call, 'traceparent')).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    expect(headerOf(call, 'content-type')).toBe('application/json');
    expect(init.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('copies a Request to add the headers, keeping its method', async () => {
    const p = page(async () => new Response(null, { status: 404 }));
    const req = new Request('https://shop.example.com/api/x', { method: 'DELETE' });
    await p.fetch(req);
    const [span] = rec.ended();
    expect(span.attributes).toMatchObject({ 'http.request.method': 'DELETE', 'http.response.status_code': 404, 'error.type': '404' });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    const sent = p.calls[0].args[0] as Request;
    expect(sent).not.toBe(req);
    expect(sent.method).toBe('DELETE');
    expect(sent.headers.get('traceparent')).toMatch(/^00-/);
    expect(req.headers.get('traceparent')).toBeNull();
  });

  it('ends the span with the error of a failed call and rejects with that same error', async () => {
    const failure = new TypeError('Failed to fetch');
    const p = page(() => Promise.reject(failure));
    await expect(p.fetch('https://api.other.example/x')).rejects.toBe(failure);
    const [span] = rec.ended();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('TypeError');
    // Another origin, not allowed: no trace headers.
    expect(headerOf(p.calls[0], 'traceparent')).toBeNull();
  });

  it("passes the SDK's own sends through untouched and untraced", async () => {
    const p = page(async () => new Response('{}'));
    const init = { method: 'POST', body: '{}' };
    await p.fetch('https://shop.example.com/v1/logs?sent_at=1', init);
    expect(p.calls[0].args).toEqual(['https://shop.example.com/v1/logs?sent_at=1', init]);
    expect(p.calls[0].args[1]).toBe(init);
    expect(rec.ended()).toHaveLength(0);
  });

  it('puts the original fetch back on undo', () => {
    const p = page(async () => new Response('{}'));
    expect(p.win.fetch).not.toBe(p.original);
    p.undo();
    expect(p.win.fetch).toBe(p.original);
  });

  it('becomes a pass-through on undo when something wrapped fetch after it', async () => {
    const p = page(async () => new Response('{}'));
    const ours = p.win.fetch;
    const theirs = (...args: unknown[]) => ours(...args);
    p.win.fetch = theirs;
    p.undo();
    expect(p.win.fetch).toBe(theirs);
    await p.fetch('/api/after');
    expect(rec.ended()).toHaveLength(0);
    expect(p.calls[0].args).toEqual(['/api/after', undefined]);
  });
});
