import {
  isSpanContextValid,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CBaggagePropagator, isTracingSuppressed } from '@opentelemetry/core';
import { KNOWN_FLAGS, formatTraceparent, parseTraceparent, parseTracestate } from '../shared/trace-context.js';
import { W3CTraceState } from './trace-state.js';
import type { PropagatorName } from './config/index.js';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
const FIELDS: readonly string[] = Object.freeze([TRACEPARENT, TRACESTATE]);

/**
 * W3C Trace Context, Level 1 and Level 2, as a TextMapPropagator (the parsing is shared/trace-context.ts).
 * Differences from @opentelemetry/core's W3CTraceContextPropagator, each one a rule of the spec:
 * - header names are read in any case ("vendors MUST expect the header name in any case"), also from
 *   carriers that are not Node's lowercased headers (message attributes);
 * - a duplicated traceparent (two values) restarts the trace instead of using the first one;
 * - tracestate keys follow Level 2's grammar; a tracestate with a duplicated key, an invalid member or more
 *   than 32 members is dropped as a whole (the traceparent is kept); empty members are skipped;
 * - trace-flags keep the sampled (0x01) and Level 2's random-trace-id (0x02) bits and clear the reserved ones
 *   ("vendors MUST set those to zero"), on extract and on inject;
 * - an empty tracestate is not sent ("SHOULD avoid sending them"); one over 512 characters loses whole
 *   entries, the longest (over 128) first.
 * Nothing here throws: an unreadable carrier gives the context it was read into.
 */
export class W3CTraceContextPropagatorL2 implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const sc = trace.getSpanContext(ctx);
    if (sc === undefined || isTracingSuppressed(ctx) || !isSpanContextValid(sc)) return;
    setter.set(carrier, TRACEPARENT, formatTraceparent({ traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags & KNOWN_FLAGS }));
    const state = sc.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE, state);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      const parent = parseTraceparent(read(carrier, getter, TRACEPARENT));
      if (parent === null) return ctx; // and tracestate is not even parsed: "MUST NOT attempt to parse"
      const header = read(carrier, getter, TRACESTATE);
      const members = header === undefined ? null : parseTracestate(header);
      return trace.setSpanContext(ctx, {
        traceId: parent.traceId,
        spanId: parent.spanId,
        traceFlags: parent.traceFlags & KNOWN_FLAGS,
        isRemote: true,
        traceState: members !== null && members.length > 0 ? W3CTraceState.fromMembers(members) : undefined,
      });
    } catch {
      return ctx; // a throwing getter or carrier: no remote parent
    }
  }

  fields(): string[] {
    return FIELDS as string[];
  }
}

/**
 * A header by its lowercase name: the getter's own lookup first (Node's headers are lowercase already), then
 * a case-insensitive scan of the carrier's keys. Several values come back as an array: parseTraceparent
 * rejects more than one, parseTracestate joins them (RFC 9110 field order).
 */
function read(carrier: unknown, getter: TextMapGetter, name: string): string | string[] | undefined {
  const direct = getter.get(carrier, name);
  if (direct !== undefined) return direct;
  const keys = getter.keys(carrier);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key.length === name.length && key !== name && key.toLowerCase() === name) return getter.get(carrier, key);
  }
  return undefined;
}

/**
 * The propagator for `logger.tracing.propagators` (OTEL_PROPAGATORS): `tracecontext` is the one above,
 * `baggage` is @opentelemetry/core's W3C Baggage propagator, `none` (alone) propagates nothing. Like core's
 * CompositePropagator, one failing member does not stop the others; unlike it, fields() returns the same
 * array every time, which is how global-registration.ts recognises the global propagator as isotel's.
 */
export function createPropagator(names: readonly PropagatorName[]): TextMapPropagator {
  const members: TextMapPropagator[] = [];
  if (names.includes('tracecontext')) members.push(new W3CTraceContextPropagatorL2());
  if (names.includes('baggage')) members.push(new W3CBaggagePropagator());
  const fields = [...new Set(members.flatMap((m) => m.fields()))];
  return {
    inject(ctx, carrier, setter) {
      for (const m of members) {
        try {
          m.inject(ctx, carrier, setter);
        } catch {
          // A frozen or exotic carrier: the other headers may still go out.
        }
      }
    },
    extract(ctx, carrier, getter) {
      let out = ctx;
      for (const m of members) {
        try {
          out = m.extract(out, carrier, getter);
        } catch {
          // An unreadable carrier: what the other members read is kept.
        }
      }
      return out;
    },
    fields: () => fields,
  };
}
