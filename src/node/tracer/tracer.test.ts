import { describe, it, expect, beforeAll } from 'vitest';
import { ROOT_CONTEXT, context, defaultTextMapGetter, INVALID_SPAN_CONTEXT, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { suppressTracing } from '@opentelemetry/core';
import { AlwaysOffSampler, ParentBasedSampler, AlwaysOnSampler } from '@opentelemetry/sdk-trace-base';
import { W3CTraceContextPropagatorL2 } from '../trace-context-propagator.js';
import { testProvider } from './test-provider.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const tracer = testProvider().provider.getTracer('test');
const remote = (flags: string) =>
  new W3CTraceContextPropagatorL2().extract(ROOT_CONTEXT, { traceparent: `00-${T}-${S}-${flags}` }, defaultTextMapGetter);
const flagsOf = (span: Span) => span.spanContext().traceFlags;

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()); // false when one is set: fine
});

describe('random-trace-id flag (Trace Context Level 2)', () => {
  it('is set on a new trace (isotel trace ids are random), with the sampled bit', () => {
    expect(flagsOf(tracer.startSpan('root', {}, ROOT_CONTEXT))).toBe(3);
  });

  it('is carried to in-process children', () => {
    const root = tracer.startSpan('root', {}, ROOT_CONTEXT);
    const child = tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, root));
    expect(child.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(flagsOf(child)).toBe(3);
  });

  it('follows an extracted parent: carried when it has the flag, not added when it has not', () => {
    expect(flagsOf(tracer.startSpan('s', {}, remote('03')))).toBe(3);
    expect(flagsOf(tracer.startSpan('s', {}, remote('02')))).toBe(2); // the default sampler follows the parent: not sampled
    const notRandom = tracer.startSpan('s', {}, remote('01'));
    expect(notRandom.spanContext().traceId).toBe(T);
    expect(flagsOf(notRandom)).toBe(1);
  });

  it('is set on a new root even under a parent without it (options.root starts a new trace)', () => {
    const span = tracer.startSpan('s', { root: true }, remote('01'));
    expect(span.spanContext().traceId).not.toBe(T);
    expect(flagsOf(span)).toBe(3);
  });

  it('travels in non-recording spans too, so a dropped trace still propagates it', () => {
    const off = testProvider({ sampler: new AlwaysOffSampler() }).provider.getTracer('off');
    const root = off.startSpan('root', {}, ROOT_CONTEXT);
    expect(root.isRecording()).toBe(false);
    expect(flagsOf(root)).toBe(2);
    const parentBased = testProvider({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }) }).provider.getTracer('pb');
    const child = parentBased.startSpan('child', {}, remote('02')); // remote parent not sampled: dropped, flag kept
    expect(child.isRecording()).toBe(false);
    expect(flagsOf(child)).toBe(2);
  });

  it('never touches the shared invalid span context when tracing is suppressed', () => {
    const span = tracer.startSpan('s', {}, suppressTracing(ROOT_CONTEXT));
    expect(span.spanContext()).toBe(INVALID_SPAN_CONTEXT);
    expect(INVALID_SPAN_CONTEXT.traceFlags).toBe(0);
  });

  it('startActiveSpan runs the callback inside the flagged span (all three overloads)', () => {
    const seen: number[] = [];
    const check = (span: Span) => {
      seen.push(flagsOf(span));
      expect(trace.getActiveSpan()).toBe(span);
      span.end();
      return 'r';
    };
    expect(tracer.startActiveSpan('a', check)).toBe('r');
    expect(tracer.startActiveSpan('b', {}, check)).toBe('r');
    expect(tracer.startActiveSpan('c', {}, remote('01'), check)).toBe('r');
    expect(seen).toEqual([3, 3, 1]);
  });

  it('gives one tracer per name and version', () => {
    const { provider } = testProvider();
    expect(provider.getTracer('x', '1')).toBe(provider.getTracer('x', '1'));
    expect(provider.getTracer('x', '2')).not.toBe(provider.getTracer('x', '1'));
  });
});
