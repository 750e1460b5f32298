import { describe, it, expect } from 'vitest';
import { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter, propagation, trace, type TextMapGetter } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { createPropagator, W3CTraceContextPropagatorL2 } from './trace-context-propagator.js';
import { W3CTraceState } from './trace-state.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const w3c = new W3CTraceContextPropagatorL2();

type Headers = Record<string, unknown>;
const extract = (headers: Headers) => trace.getSpanContext(w3c.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
const inject = (ctx = ROOT_CONTEXT) => {
  const out: Record<string, string> = {};
  w3c.inject(ctx, out, defaultTextMapSetter);
  return out;
};
const parent = (traceFlags: number, traceState?: string) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags, traceState: traceState === undefined ? undefined : W3CTraceState.parse(traceState) });

describe('W3C Trace Context propagator: extract', () => {
  it('reads a remote parent and keeps the sampled and random-trace-id bits only', () => {
    expect(extract({ traceparent: `00-${T}-${S}-01` })).toEqual({ traceId: T, spanId: S, traceFlags: 1, isRemote: true, traceState: undefined });
    expect(extract({ traceparent: `00-${T}-${S}-02` })?.traceFlags).toBe(2);
    expect(extract({ traceparent: `00-${T}-${S}-03` })?.traceFlags).toBe(3);
    expect(extract({ traceparent: `00-${T}-${S}-ff` })?.traceFlags).toBe(3); // reserved bits: MUST be zero
    expect(extract({ traceparent: `00-${T}-${S}-fc` })?.traceFlags).toBe(0);
  });

  it('parses a future version leniently (extra fields ignored) and rejects version ff and a bad version 00', () => {
    expect(extract({ traceparent: `cc-${T}-${S}-03-what-the-future-will-be-like` })).toMatchObject({ traceId: T, spanId: S, traceFlags: 3 });
    expect(extract({ traceparent: `ff-${T}-${S}-01` })).toBeUndefined();
    expect(extract({ traceparent: `00-${T}-${S}-01-extra` })).toBeUndefined();
    expect(extract({ traceparent: `cc-${T}-${S}-01.x` })).toBeUndefined();
  });

  it.each([
    ['all-zero trace id', `00-${'0'.repeat(32)}-${S}-01`],
    ['all-zero parent id', `00-${T}-${'0'.repeat(16)}-01`],
    ['uppercase ids', `00-${T.toUpperCase()}-${S}-01`],
    ['short flags', `00-${T}-${S}-1`],
    ['garbage', 'hello'],
    ['two values (a duplicated header)', [`00-${T}-${S}-01`, `00-${T}-${S}-01`]],
  ])('ignores a bad traceparent: %s', (_name, traceparent) => {
    expect(extract({ traceparent, tracestate: 'a=1' })).toBeUndefined();
  });

  it('does not even read tracestate when traceparent is invalid (spec: MUST NOT parse it)', () => {
    const asked: string[] = [];
    const getter: TextMapGetter<Headers> = { keys: (c) => Object.keys(c), get: (c, k) => (asked.push(k), c[k] as string | undefined) };
    w3c.extract(ROOT_CONTEXT, { traceparent: 'bad', tracestate: 'a=1' }, getter);
    expect(asked).toEqual(['traceparent']);
  });

  it('reads header names in any case', () => {
    expect(extract({ TraceParent: `00-${T}-${S}-01`, TRACESTATE: 'a=1' })).toMatchObject({ traceId: T, traceState: expect.anything() });
    expect(extract({ TraceParent: `00-${T}-${S}-01`, TRACESTATE: 'a=1' })?.traceState?.get('a')).toBe('1');
  });

  it('keeps a valid tracestate, Level 2 keys and multi-tenant keys included, with empty members skipped', () => {
    const sc = extract({ traceparent: `00-${T}-${S}-01`, tracestate: ' ,1abc=x,\t,tenant@vendor=y , a@b@c=z,' });
    expect(sc?.traceState?.serialize()).toBe('1abc=x,tenant@vendor=y,a@b@c=z');
  });

  it('combines several tracestate values in order', () => {
    expect(extract({ traceparent: `00-${T}-${S}-01`, tracestate: ['a=1', 'b=2'] })?.traceState?.serialize()).toBe('a=1,b=2');
  });

  it.each([
    ['a duplicated key', 'a=1,b=2,a=3'],
    ['a duplicated key over two values', ['a=1', 'a=2']],
    ['33 members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')],
    ['an invalid key', 'a=1,Bad=2'],
    ['an invalid value', 'a=1,b=x=y'],
    ['only empty members', ' , ,'],
  ])('drops the whole tracestate but keeps the parent for %s', (_name, tracestate) => {
    const sc = extract({ traceparent: `00-${T}-${S}-01`, tracestate });
    expect(sc).toMatchObject({ traceId: T, spanId: S });
    expect(sc?.traceState).toBeUndefined();
  });

  it('accepts exactly 32 members', () => {
    const tracestate = Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(',');
    expect(extract({ traceparent: `00-${T}-${S}-01`, tracestate })?.traceState?.serialize()).toBe(tracestate);
  });

  it('never throws: a throwing getter gives the context it was read into', () => {
    const getter: TextMapGetter<unknown> = { keys: () => { throw new Error('x'); }, get: () => { throw new Error('y'); } };
    expect(w3c.extract(ROOT_CONTEXT, {}, getter)).toBe(ROOT_CONTEXT);
  });
});

describe('W3C Trace Context propagator: inject', () => {
  it('writes version 00 with the sampled and random bits, and no tracestate when there is none', () => {
    expect(inject(parent(3))).toEqual({ traceparent: `00-${T}-${S}-03` });
    expect(inject(parent(2))).toEqual({ traceparent: `00-${T}-${S}-02` });
    expect(inject(parent(0xff))).toEqual({ traceparent: `00-${T}-${S}-03` });
    expect(inject(parent(1, ''))).toEqual({ traceparent: `00-${T}-${S}-01` }); // empty: not sent
  });

  it('writes the tracestate it received, Level 2 keys intact', () => {
    expect(inject(parent(1, 'x@y@z=1,9a=2'))).toEqual({ traceparent: `00-${T}-${S}-01`, tracestate: 'x@y@z=1,9a=2' });
  });

  it('writes nothing without a valid span context or when tracing is suppressed', () => {
    expect(inject()).toEqual({});
    expect(inject(suppressTracing(parent(1)))).toEqual({});
    expect(inject(trace.setSpanContext(ROOT_CONTEXT, { traceId: '0'.repeat(32), spanId: S, traceFlags: 1 }))).toEqual({});
  });

  it('round-trips a future-version parent as version 00', () => {
    const ctx = w3c.extract(ROOT_CONTEXT, { traceparent: `cc-${T}-${S}-02-more` }, defaultTextMapGetter);
    expect(inject(ctx)).toEqual({ traceparent: `00-${T}-${S}-02` });
  });
});

describe('createPropagator', () => {
  const withBaggage = () => propagation.setBaggage(parent(1), propagation.createBaggage({ tenant: { value: 'acme' } }));

  it('composes tracecontext and baggage per logger.tracing.propagators', () => {
    const both = createPropagator(['tracecontext', 'baggage']);
    const out: Record<string, string> = {};
    both.inject(withBaggage(), out, defaultTextMapSetter);
    expect(out).toEqual({ traceparent: `00-${T}-${S}-01`, baggage: 'tenant=acme' });
    const back = both.extract(ROOT_CONTEXT, out, defaultTextMapGetter);
    expect(trace.getSpanContext(back)?.traceId).toBe(T);
    expect(propagation.getBaggage(back)?.getEntry('tenant')?.value).toBe('acme');
    expect(both.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
  });

  it('leaves out what is not listed; none propagates nothing', () => {
    const only = (names: Parameters<typeof createPropagator>[0]) => {
      const out: Record<string, string> = {};
      createPropagator(names).inject(withBaggage(), out, defaultTextMapSetter);
      return Object.keys(out);
    };
    expect(only(['tracecontext'])).toEqual(['traceparent']);
    expect(only(['baggage'])).toEqual(['baggage']);
    expect(only(['none'])).toEqual([]);
    expect(createPropagator(['none']).fields()).toEqual([]);
  });

  it('returns one fields() array for its whole life (how isotel recognises its global propagator)', () => {
    const p = createPropagator(['tracecontext', 'baggage']);
    expect(p.fields()).toBe(p.fields());
  });
});
