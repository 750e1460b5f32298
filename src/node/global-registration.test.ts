import { describe, it, expect, afterEach } from 'vitest';
import { ROOT_CONTEXT, context, metrics, propagation, trace, type ProxyTracerProvider } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { useLoggerTestBed } from './logger-testing.js';
import { inject } from './propagation.js';
import { freePort } from './metrics/testing.js';

const bed = useLoggerTestBed();
const tick = () => new Promise((r) => setTimeout(r, 2));

afterEach(() => {
  // What a test registered as "the app" goes; isotel's own registrations were released by logger.close().
  trace.disable();
  propagation.disable();
  logs.disable();
  metrics.disable();
  context.disable();
});

describe('register_global: true (default)', () => {
  it('libraries using @opentelemetry/api record into isotel: tracer, context manager and propagator', async () => {
    const log = await bed.make();
    const lib = trace.getTracer('some-lib', '2.0.0');
    let outgoing: Record<string, string> = {};
    await lib.startActiveSpan('lib-op', async (span) => {
      await tick(); // the context manager carries the span across await
      outgoing = {};
      propagation.inject(context.active(), outgoing);
      log.info('inside lib span');
      span.end();
    });
    await log.flush();
    const [span] = bed.readSpans();
    expect(span).toMatchObject({ name: 'lib-op', scope: { name: 'some-lib', version: '2.0.0' }, flags: 0x103 });
    expect(outgoing.traceparent).toBe(`00-${span.trace_id}-${span.span_id}-03`);
    expect(bed.readLogs()[0]).toMatchObject({ trace_id: span.trace_id, span_id: span.span_id });
  });

  it('registers the propagators listed in logger.tracing.propagators (none: no global propagator)', async () => {
    let log = await bed.make({ tracing: { propagators: ['tracecontext'] } });
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate']);
    await log.close();
    log = await bed.make({ tracing: { propagators: ['none'] } });
    expect(propagation.fields()).toEqual([]);
    await log.close();
    log = await bed.make();
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
  });

  it('close() unregisters everything isotel registered, so another SDK can register afterwards', async () => {
    const log = await bed.make();
    await log.close();
    expect(propagation.fields()).toEqual([]);
    expect(logs.getLoggerProvider().constructor.name).toBe('ProxyLoggerProvider');
    const app = new BasicTracerProvider();
    expect(trace.setGlobalTracerProvider(app)).toBe(true);
    expect(context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())).toBe(true);
    expect(propagation.setGlobalPropagator(new W3CTraceContextPropagator())).toBe(true);
  });

  it('close() leaves alone a global the app put in place of isotel’s meanwhile', async () => {
    const log = await bed.make();
    trace.disable();
    const app = new BasicTracerProvider();
    trace.setGlobalTracerProvider(app);
    await log.close();
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).toBe(app);
  });

  it('two loggers share one context manager: closing the first keeps the second one’s spans following await', async () => {
    const first = await bed.make();
    const second = await bed.make();
    await first.close();
    const seen = await second.withSpan('after-first-closed', undefined, async () => {
      await tick();
      return second.activeSpanId();
    });
    expect(seen).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('register_global: false (the app brought its own SDK)', () => {
  function appSdk() {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const manager = new AsyncLocalStorageContextManager().enable();
    const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
    expect(context.setGlobalContextManager(manager)).toBe(true);
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    expect(propagation.setGlobalPropagator(propagator)).toBe(true);
    return { exporter, provider, manager };
  }

  it('registers nothing, and records alongside: isotel spans are children of the app’s active span', async () => {
    const app = appSdk();
    const log = await bed.make({ tracing: { register_global: false } });
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).toBe(app.provider);
    const appTracer = trace.getTracer('app');
    let appSpanId = '';
    let carrier: Record<string, unknown> = {};
    await appTracer.startActiveSpan('app-request', async (appSpan) => {
      appSpanId = appSpan.spanContext().spanId;
      await log.withSpan('isotel-work', undefined, async () => {
        await tick();
        log.info('inside isotel span');
        carrier = inject({});
      });
      appSpan.end();
    });
    await log.flush();
    const [mine] = bed.readSpans();
    const [theirs] = app.exporter.getFinishedSpans();
    expect(theirs.name).toBe('app-request');
    expect(mine).toMatchObject({ name: 'isotel-work', trace_id: theirs.spanContext().traceId, parent_span_id: appSpanId });
    expect(mine.flags).toBe(0x101); // the app's trace id is not known to be random: the flag is not claimed
    expect(bed.readLogs()[0]).toMatchObject({ trace_id: mine.trace_id, span_id: mine.span_id });
    expect(carrier.traceparent).toBe(`00-${mine.trace_id}-${mine.span_id}-01`); // through the app's propagator
    await log.close();
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).toBe(app.provider);
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
    expect(bed.diagMessages.filter((m) => !m.startsWith('register_global is false: isotel enables no instrumentations'))).toEqual([]);
  });

  it('warns once when no context manager is registered, since async work would lose its span', async () => {
    const log = await bed.make({ tracing: { register_global: false } });
    expect(bed.diagMessages.filter((m) => m.includes('no OpenTelemetry context manager'))).toHaveLength(1);
    expect(() => log.withSpan('still works', undefined, () => log.info('x'))).not.toThrow();
    expect(context.active()).toBe(ROOT_CONTEXT);
  });
});

describe('the global meter provider (logger.metrics)', () => {
  const scrape = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const isNoop = () => metrics.getMeterProvider().constructor.name === 'NoopMeterProvider';

  it('libraries using @opentelemetry/api meters record into isotel’s provider; close() unregisters it and closes the port', async () => {
    const port = await freePort();
    const log = await bed.make({ metrics: { prometheus: { port } } });
    metrics.getMeter('some-lib').createCounter('lib.calls').add(3, { op: 'read' });
    expect(await scrape(port)).toMatch(/^lib_calls_total\{op="read",otel_scope_name="some-lib"\} 3$/m);
    await log.close();
    expect(isNoop()).toBe(true);
    await expect(scrape(port)).rejects.toThrow();
    expect(metrics.setGlobalMeterProvider(new MeterProvider())).toBe(true);
  });

  it('keeps a meter provider the app registered first, and leaves it registered on close()', async () => {
    const app = new MeterProvider();
    metrics.setGlobalMeterProvider(app);
    const log = await bed.make();
    expect(metrics.getMeterProvider()).toBe(app);
    await log.close();
    expect(metrics.getMeterProvider()).toBe(app);
  });

  it('close() leaves alone a meter provider the app put in place of isotel’s meanwhile', async () => {
    const log = await bed.make();
    expect(isNoop()).toBe(false);
    metrics.disable();
    const app = new MeterProvider();
    metrics.setGlobalMeterProvider(app);
    await log.close();
    expect(metrics.getMeterProvider()).toBe(app);
  });

  it('registers none when metrics.enabled is false, or when register_global is false', async () => {
    let log = await bed.make({ metrics: { enabled: false } });
    expect(isNoop()).toBe(true);
    await log.close();
    log = await bed.make({ tracing: { register_global: false } });
    expect(isNoop()).toBe(true);
  });
});
