import { describe, it, expect, beforeAll } from 'vitest';
import { ROOT_CONTEXT, context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { inject, extract, withExtractedContext } from './propagation.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const sender = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()); // false when one is set: fine
});

describe('propagation helpers for transports isotel does not instrument', () => {
  it('writes traceparent (and baggage) of a context into a carrier, and reads the same trace back', () => {
    const withBaggage = propagation.setBaggage(sender, propagation.createBaggage({ tenant: { value: 'acme' } }));
    const carrier = inject({} as Record<string, unknown>, withBaggage);
    expect(carrier.traceparent).toBe(`00-${TRACE_ID}-${SPAN_ID}-01`);
    expect(carrier.baggage).toBe('tenant=acme');
    const received = extract(carrier, ROOT_CONTEXT);
    expect(trace.getSpanContext(received)).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(propagation.getBaggage(received)?.getEntry('tenant')?.value).toBe('acme');
  });

  it('reads header names in any case, as message attributes may carry them', () => {
    const ctx = extract({ TraceParent: `00-${TRACE_ID}-${SPAN_ID}-00` }, ROOT_CONTEXT);
    expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 });
  });

  it('runs work inside the extracted context, so its spans are children of the sender', () => {
    const carrier = inject({} as Record<string, unknown>, sender);
    const seen = withExtractedContext(carrier, () => trace.getSpanContext(context.active()));
    expect(seen).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID });
  });

  it('never throws: a frozen carrier is left as it is, garbage gives the context it was read into', () => {
    const frozen = Object.freeze({}) as Record<string, unknown>;
    expect(inject(frozen, sender)).toBe(frozen);
    const ctx = extract({ traceparent: 'not-a-traceparent', baggage: 7 }, ROOT_CONTEXT);
    expect(trace.getSpanContext(ctx)).toBeUndefined();
    expect(extract(null as unknown as Record<string, unknown>, ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
  });
});
