/**
 * W3C Trace Context for the browser builds, as @opentelemetry/core's W3CTraceContextPropagator does it
 * (its inject and its traceparent parser), without core (2.2 KB gzipped of the full build with sdk-trace).
 */
import { type Context, type SpanContext, trace } from '@opentelemetry/api';

/** core's traceparent pattern: version (not ff), trace id and span id (not all zeros), flags. */
const TRACEPARENT = /^\s?((?!ff)[\da-f]{2})-((?![0]{32})[\da-f]{32})-((?![0]{16})[\da-f]{16})-([\da-f]{2})(-.*)?\s?$/;

/** The span context a `traceparent` value names (remote), or null when it is malformed. */
export function parseTraceParent(value: string): SpanContext | null {
  const m = TRACEPARENT.exec(value);
  // Version 00 has nothing after the flags.
  if (!m || (m[1] === '00' && m[5])) return null;
  return { traceId: m[2]!, spanId: m[3]!, traceFlags: parseInt(m[4]!, 16), isRemote: true };
}

/** Puts `traceparent` (and `tracestate`) for the active span of `ctx` through `set`; nothing without a valid one. */
export function injectTraceContext(ctx: Context, set: (name: string, value: string) => void): void {
  const sc = trace.getSpanContext(ctx);
  if (!sc || !trace.isSpanContextValid(sc)) return;
  set('traceparent', `00-${sc.traceId}-${sc.spanId}-0${Number(sc.traceFlags || 0).toString(16)}`);
  const ts = sc.traceState?.serialize();
  if (ts) set('tracestate', ts);
}
