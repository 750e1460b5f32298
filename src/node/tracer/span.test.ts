import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision, type Sampler } from '@opentelemetry/sdk-trace-base';
import { testProvider } from './test-provider.js';

const start = (name = 's', opts = {}) => {
  const t = testProvider(opts);
  return { ...t, span: t.provider.getTracer('t', '1').startSpan(name, {}, ROOT_CONTEXT) };
};

describe('isotel span → record', () => {
  it('records name, kind, ids, parent, scope, times with microseconds, and keeps flat attributes as set', () => {
    const { provider, records } = testProvider();
    const tracer = provider.getTracer('lib', '2.0');
    const parent = tracer.startSpan('parent', {}, ROOT_CONTEXT);
    const child = tracer.startSpan('child', { kind: SpanKind.CLIENT, attributes: { a: 'x', n: 1, ok: true } }, trace.setSpan(ROOT_CONTEXT, parent));
    child.end();
    parent.end();
    const [c, p] = records;
    expect(c).toMatchObject({ name: 'child', kind: 'CLIENT', trace_id: p.trace_id, parent_span_id: p.span_id, scope: { name: 'lib', version: '2.0' }, attributes: { a: 'x', n: 1, ok: true }, flags: 0x103 }); // sampled, random trace id; is_remote known, the parent is local
    expect(p.parent_span_id).toBeUndefined();
    expect(c.start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(c.duration_ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(c.start_time)).toBeLessThanOrEqual(Date.now());
  });

  it('truncates strings to the value length limit (as the spec says), and makes non-finite numbers strings', () => {
    const { span, records } = start('s', { limits: { maxStringLength: 10 } });
    span.setAttributes({ long: 'y'.repeat(20), inf: Number.POSITIVE_INFINITY, list: ['a', 'b'], longs: ['z'.repeat(11)] });
    span.addEvent('e', { long: 'w'.repeat(12) });
    span.end();
    expect(records[0].attributes['long']).toBe('y'.repeat(10));
    expect(records[0].attributes['longs']).toEqual(['z'.repeat(10)]);
    expect(records[0].events[0].attributes['long']).toBe('w'.repeat(10));
    expect(records[0].attributes['inf']).toBe('Infinity');
    expect(records[0].attributes['list']).toEqual(['a', 'b']);
  });

  it('drops invalid attributes (objects, mixed arrays, empty and __proto__ keys) and keeps the rest', () => {
    const { span, records } = start();
    span.setAttribute('obj', { a: 1 } as never);
    span.setAttribute('mixed', ['a', 1] as never);
    span.setAttribute('', 'x');
    span.setAttribute('__proto__', ['x']);
    span.setAttribute('ok', 'yes');
    span.setAttribute('nullish', undefined as never);
    span.end();
    expect(records[0].attributes).toEqual({ ok: 'yes' });
    expect(Object.getPrototypeOf(records[0].attributes)).toBe(Object.prototype);
  });

  it('applies the attribute count limit to new keys (overwrites still allowed) and counts the dropped', () => {
    const { span, records } = start('s', { limits: { maxAttributes: 2 } });
    span.setAttributes({ a: 1, b: 2, c: 3 });
    span.setAttribute('a', 10);
    span.end();
    expect(records[0].attributes).toEqual({ a: 10, b: 2 });
    expect(records[0].dropped_attributes_count).toBe(1);
  });

  it('ignores every write after end, and a second end', () => {
    const { span, records } = start();
    span.end();
    span.setAttribute('late', 1).addEvent('late').setStatus({ code: SpanStatusCode.ERROR }).updateName('renamed');
    span.end();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ name: 's', attributes: {}, events: [], status: { code: 'UNSET' } });
    expect(span.isRecording()).toBe(false);
  });

  it('status: UNSET is ignored, ERROR keeps a string message, OK is final', () => {
    const { span, records } = start();
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    span.setStatus({ code: SpanStatusCode.UNSET });
    expect((span as unknown as { status: unknown }).status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    span.setStatus({ code: SpanStatusCode.OK, message: 'ignored' });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'too late' });
    span.end();
    expect(records[0].status).toEqual({ code: 'OK' });
  });

  it('events: attributes or a time as second argument, the limit drops the oldest, exceptions per semconv', () => {
    const { span, records } = start('s', { eventLimit: 2 });
    span.addEvent('first', { k: 'v' });
    span.addEvent('second', new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)));
    const err = Object.assign(new Error('bad'), { code: 'E_BAD' });
    span.recordException(err, [1_767_225_600, 500_000]);
    span.end();
    const r = records[0];
    expect(r.events.map((e) => e.name)).toEqual(['second', 'exception']);
    expect(r.dropped_events_count).toBe(1);
    expect(r.events[0].time).toBe('2026-01-02T03:04:05.006000Z');
    expect(r.events[1].time).toBe('2026-01-01T00:00:00.000500Z');
    expect(r.events[1].attributes).toMatchObject({ 'exception.type': 'E_BAD', 'exception.message': 'bad' });
    expect(String(r.events[1].attributes['exception.stacktrace'])).toContain('Error: bad');
  });

  it('links from options and addLink, with their attributes, trace flags and is_remote (OTLP SpanFlags)', () => {
    const { provider, records } = testProvider();
    const other = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED, isRemote: true };
    const span = provider.getTracer('t').startSpan('s', { links: [{ context: other, attributes: { why: 'batch' } }] }, ROOT_CONTEXT);
    span.addLink({ context: { traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), traceFlags: TraceFlags.NONE } });
    span.end();
    expect(records[0].links).toEqual([
      { trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), attributes: { why: 'batch' }, flags: 0x301 },
      { trace_id: 'a'.repeat(32), span_id: 'c'.repeat(16), attributes: {}, flags: 0x100 },
    ]);
  });

  it('start and end times given as epoch ms, performance.now() or HrTime; an end before the start is clamped', () => {
    const { provider, records } = testProvider();
    const tracer = provider.getTracer('t');
    tracer.startSpan('ms', { startTime: Date.UTC(2026, 0, 1) }, ROOT_CONTEXT).end(Date.UTC(2026, 0, 1, 0, 0, 1));
    tracer.startSpan('perf', { startTime: performance.now() }, ROOT_CONTEXT).end();
    tracer.startSpan('backwards', { startTime: [1_767_225_600, 0] }, ROOT_CONTEXT).end([1_767_225_599, 0]);
    expect(records[0]).toMatchObject({ start_time: '2026-01-01T00:00:00.000000Z', end_time: '2026-01-01T00:00:01.000000Z', duration_ms: 1000 });
    expect(Math.abs(Date.parse(records[1].start_time) - Date.now())).toBeLessThan(5_000);
    expect(records[2].duration_ms).toBe(0);
  });

  it('the sampler sees the span to be and may add attributes; RECORD-only spans are recorded unsampled', () => {
    const seen: unknown[] = [];
    const sampler: Sampler = {
      shouldSample: (_ctx, traceId, name, kind, attributes) => {
        seen.push({ traceId, name, kind, attributes });
        return { decision: SamplingDecision.RECORD, attributes: { 'sampler.said': 'record' } };
      },
      toString: () => 'test',
    };
    const { provider, records } = testProvider({ sampler });
    const span = provider.getTracer('t').startSpan('s', { kind: SpanKind.SERVER, attributes: { a: 1 } }, ROOT_CONTEXT);
    span.end();
    expect(seen).toEqual([{ traceId: span.spanContext().traceId, name: 's', kind: SpanKind.SERVER, attributes: { a: 1 } }]);
    expect(records[0]).toMatchObject({ flags: 0x102, attributes: { a: 1, 'sampler.said': 'record' } });
  });

  it('ids are lower-case hex, random and unique', () => {
    const { provider } = testProvider();
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const sc = provider.getTracer('t').startSpan('s', {}, ROOT_CONTEXT).spanContext();
      expect(sc.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(sc.spanId).toMatch(/^[0-9a-f]{16}$/);
      ids.add(sc.spanId);
    }
    expect(ids.size).toBe(5000);
  });

  it('a record that cannot be built is reported and dropped, never thrown', () => {
    const { span, ended } = start();
    span.end();
    Object.defineProperty(ended[0], 'attributes', { get: () => { throw new Error('hostile'); } });
    expect(ended[0].toSpanRecord()).toBeUndefined();
  });
});
