import { context, propagation, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { createPropagator } from './trace-context-propagator.js';

/**
 * Carrying a trace across a transport isotel does not instrument (a queue message, a custom RPC): W3C
 * `traceparent` / `tracestate` and `baggage`, written into and read from a plain object of string values
 * (HTTP headers as Node gives them, message attributes). The global propagator is used when there is one: isotel's
 * (trace-context-propagator.ts, per `logger.tracing.propagators`) when isotel registered globally, or the one the
 * app brought with its own SDK. Without any, isotel's W3C Trace Context (Level 1 + 2) + Baggage. Nothing here
 * throws into the app: a bad carrier is left as it is, and a carrier with nothing valid gives the context it
 * was read into.
 */
export type Carrier = Record<string, unknown>;

const W3C = createPropagator(['tracecontext', 'baggage']);

const setter: TextMapSetter<Carrier> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const v = carrier[key] ?? carrier[Object.keys(carrier).find((k) => k.toLowerCase() === key) ?? ''];
    return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')) ? (v as string | string[]) : undefined;
  },
};

/** The propagator in use: the global one (isotel's or the app's) if it has fields, else isotel's W3C one. */
function propagator() {
  return propagation.fields().length > 0 ? propagation : W3C;
}

/** Writes the trace (and baggage) of `ctx` (default: the active context) into `carrier`; returns the carrier. */
export function inject<C extends Carrier>(carrier: C, ctx: Context = context.active()): C {
  try {
    propagator().inject(ctx, carrier, setter);
  } catch {
    // A frozen or exotic carrier: the message goes out without trace headers rather than failing the app.
  }
  return carrier;
}

/** The context `carrier` continues, on top of `ctx` (default: the active context). */
export function extract(carrier: Carrier, ctx: Context = context.active()): Context {
  try {
    return propagator().extract(ctx, carrier, getter);
  } catch {
    return ctx; // unreadable: no remote parent, the work starts a trace of its own
  }
}

/** Runs `fn` inside the context `carrier` continues: spans started in it are children of the sender's span. */
export function withExtractedContext<T>(carrier: Carrier, fn: () => T): T {
  return context.with(extract(carrier), fn);
}
