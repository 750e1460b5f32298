import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, trace, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import { compilePattern, createPropagateTo, destinationOf } from './propagate-to.js';

const setter: TextMapSetter<Record<string, string>> = { set: (c, k, v) => void (c[k] = v) };

describe('propagate_to patterns', () => {
  it('matches hosts, *.domain, ports, origins, IPv6 and *', () => {
    const m = (p: string, host: string, port?: number, scheme?: string) => compilePattern(p)({ host, port, scheme });
    expect(m('localhost', 'LOCALHOST', 3000)).toBe(true);
    expect(m('localhost', 'localhost.evil.com')).toBe(false);
    expect(m('*.internal', 'orders.internal', 80)).toBe(true);
    expect(m('*.internal', 'internal')).toBe(false);
    expect(m('orders:8080', 'orders', 8080)).toBe(true);
    expect(m('orders:8080', 'orders', 8081)).toBe(false);
    expect(m('https://api.example.com', 'api.example.com', 443, 'https')).toBe(true);
    expect(m('https://api.example.com', 'api.example.com', 80, 'http')).toBe(false);
    expect(m('https://api.example.com:8443', 'api.example.com', 8443, 'https')).toBe(true);
    expect(m('[::1]', '::1', 9000)).toBe(true);
    expect(m('[::1]:9000', '[::1]', 9000)).toBe(true);
    expect(m('*', 'anything.example', 1)).toBe(true);
  });

  it('reads the destination from url.full, else server.address and server.port', () => {
    expect(destinationOf({ 'url.full': 'https://a.example:8443/x?y' })).toEqual({ scheme: 'https', host: 'a.example', port: 8443 });
    expect(destinationOf({ 'url.full': 'http://[::1]/x' })).toEqual({ scheme: 'http', host: '[::1]', port: 80 });
    expect(destinationOf({ 'server.address': 'db', 'server.port': 5432 })).toEqual({ host: 'db', port: 5432, scheme: undefined });
    expect(destinationOf({ 'http.request.method': 'GET' })).toBeUndefined();
  });
});

describe('the propagate_to guard', () => {
  const guard = createPropagateTo(['127.0.0.1']);
  const inject = (provider: BasicTracerProvider, url: string, kind = SpanKind.CLIENT) => {
    const tracer = guard.wrapTracerProvider(provider).getTracer('t');
    const span = tracer.startSpan('GET', { kind, attributes: { 'url.full': url } });
    const carrier: Record<string, string> = {};
    guard.wrapPropagator(new W3CTraceContextPropagator()).inject(trace.setSpan(ROOT_CONTEXT, span), carrier, setter);
    span.end();
    return carrier;
  };

  it('injects traceparent for an allowed destination and nothing for another; the client span is recorded either way', () => {
    const provider = new BasicTracerProvider();
    expect(inject(provider, 'http://127.0.0.1:8080/a').traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(inject(provider, 'https://api.example.com/a')).toEqual({});
  });

  it('holds for spans the sampler drops: sampled=0 goes to allowed destinations only', () => {
    const provider = new BasicTracerProvider({ sampler: new AlwaysOffSampler() });
    expect(inject(provider, 'http://127.0.0.1/a').traceparent).toMatch(/-00$/);
    expect(inject(provider, 'https://api.example.com/a')).toEqual({});
  });

  it('leaves spans that are not CLIENT spans, and contexts without a span, to the inner propagator', () => {
    const provider = new BasicTracerProvider();
    expect(inject(provider, 'https://api.example.com/a', SpanKind.INTERNAL).traceparent).toBeDefined();
    const carrier: Record<string, string> = {};
    guard.wrapPropagator(new W3CTraceContextPropagator()).inject(ROOT_CONTEXT, carrier, setter);
    expect(carrier).toEqual({});
  });

  it('follows a new allow-list from the next request on (a configuration reload)', () => {
    const g = createPropagateTo(['127.0.0.1']);
    const send = (url: string) => {
      const span = g.wrapTracerProvider(new BasicTracerProvider()).getTracer('t').startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'url.full': url } });
      const carrier: Record<string, string> = {};
      g.wrapPropagator(new W3CTraceContextPropagator()).inject(trace.setSpan(ROOT_CONTEXT, span), carrier, setter);
      return carrier;
    };
    expect(send('https://api.example.com/a')).toEqual({});
    g.update(['*.example.com']);
    expect(send('https://api.example.com/a').traceparent).toBeDefined();
    expect(send('http://127.0.0.1/a')).toEqual({});
  });
});
