import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newTraceId } from '../../../shared/ids.js';
import type { BrowserSpan } from './span.js';
import { createTracerProvider, ratioSampled } from './tracer.js';
import { injectTraceContext, parseTraceParent } from './w3c.js';

let started: BrowserSpan[];
let ended: BrowserSpan[];
const provider = (rate = 1) => createTracerProvider((id) => ratioSampled(id, rate), { onStart: (s) => void started.push(s), onEnd: (s) => void ended.push(s) });
beforeEach(() => {
  started = [];
  ended = [];
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(() => context.disable());

describe('isotel browser tracer (the api Tracer, sdk-trace semantics)', () => {
  it('parents a span on the active one, and startActiveSpan makes its span active', () => {
    const tracer = provider().getTracer('t');
    const result = tracer.startActiveSpan('outer', (outer) => {
      const inner = tracer.startSpan('inner', { kind: SpanKind.CLIENT, attributes: { a: 1, skip: undefined as unknown as string } });
      inner.end();
      outer.end();
      return trace.getActiveSpan() === outer;
    });
    expect(result).toBe(true);
    const [inner, outer] = ended;
    expect(inner!.parentSpanContext?.spanId).toBe(outer!.spanContext().spanId);
    expect(inner!.spanContext().traceId).toBe(outer!.spanContext().traceId);
    expect(inner!.kind).toBe(SpanKind.CLIENT);
    expect(inner!.attributes).toEqual({ a: 1 });
    expect(outer!.parentSpanContext).toBeUndefined();
    expect(tracer.startSpan('root', { root: true }, trace.setSpan(ROOT_CONTEXT, outer!)).spanContext().traceId).not.toBe(outer!.spanContext().traceId);
  });

  it('samples roots as sdk-trace`s TraceIdRatioBasedSampler does, and children follow their parent', () => {
    for (const rate of [0, 0.25, 0.5, 1]) {
      const sdk = new TraceIdRatioBasedSampler(rate);
      for (let i = 0; i < 200; i++) {
        const id = newTraceId();
        expect(ratioSampled(id, rate)).toBe(sdk.shouldSample(ROOT_CONTEXT, id).decision === 2);
      }
    }
    const tracer = provider(0).getTracer('t');
    const root = tracer.startSpan('not sampled');
    expect(root.isRecording()).toBe(false);
    expect(root.spanContext().traceFlags).toBe(0);
    expect(started).toEqual([]);
    const remote = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1, isRemote: true };
    const child = tracer.startSpan('child of sampled', {}, trace.setSpanContext(ROOT_CONTEXT, remote));
    expect(child.isRecording()).toBe(true);
    expect(child.spanContext().traceId).toBe(remote.traceId);
  });

  it('keeps events, status and limits as sdk-trace does; nothing changes after end', () => {
    const span = provider().getTracer('t').startSpan('s', { startTime: 1_751_798_096_000 });
    span.addEvent('e1', { k: 'v' }, 1_751_798_096_010);
    span.addEvent('e2', [1_751_798_096, 20_000_000]);
    span.recordException(new TypeError('boom'));
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'bad' });
    span.setStatus({ code: SpanStatusCode.UNSET });
    for (let i = 0; i < 130; i++) span.setAttribute(`a${i}`, i);
    span.end(1_751_798_095_000); // before the start: the start
    span.setAttribute('late', 1).updateName('renamed').end();
    const s = ended[0]!;
    expect(ended).toHaveLength(1);
    expect([s.name, s.startTime, s.endTime]).toEqual(['s', [1_751_798_096, 0], [1_751_798_096, 0]]);
    expect(s.events.map((e) => [e.name, e.time])).toEqual([['e1', [1_751_798_096, 10_000_000]], ['e2', [1_751_798_096, 20_000_000]], ['exception', s.events[2]!.time]]);
    expect(s.events[2]!.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'boom' });
    expect(s.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad' });
    expect([Object.keys(s.attributes).length, s.droppedAttributesCount]).toEqual([128, 2]);
  });

  it('after shutdown, spans record nothing', async () => {
    const p = provider();
    const running = p.getTracer('t').startSpan('running');
    await p.shutdown();
    running.end();
    expect(p.getTracer('t').startSpan('late').isRecording()).toBe(false);
    expect(ended).toEqual([]);
  });
});

describe('W3C trace context (as core`s propagator)', () => {
  it('injects traceparent for a valid span context, nothing otherwise; parses what it injects', () => {
    const headers: Record<string, string> = {};
    const sc = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    injectTraceContext(trace.setSpanContext(ROOT_CONTEXT, sc), (k, v) => (headers[k] = v));
    expect(headers).toEqual({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    expect(parseTraceParent(headers.traceparent!)).toEqual({ ...sc, isRemote: true });
    injectTraceContext(ROOT_CONTEXT, () => expect.fail('no span'));
    for (const bad of ['00-' + '0'.repeat(32) + '-b7ad6b7169203331-01', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x']) {
      expect(parseTraceParent(bad)).toBeNull();
    }
  });
});
