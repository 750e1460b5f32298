import { ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { KNOWN_FLAGS, extractTraceContext } from '../../shared/trace-context.js';
import { W3CTraceState } from '../trace-state.js';

/**
 * The parent context of a server span: the caller's span (W3C `traceparent`, with its `tracestate`) when
 * the headers carry a valid one, otherwise the empty root context, so the request starts a new trace
 * instead of joining whatever span happened to be active when the server was created.
 */
export function remoteParentContext(headers: Record<string, string | string[] | undefined>): Context {
  const extracted = extractTraceContext(headers);
  if (extracted === null) return ROOT_CONTEXT;
  const { traceparent, tracestate } = extracted;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: traceparent.traceId,
    spanId: traceparent.spanId,
    // Sampled (0x01) and Level 2's random-trace-id (0x02); the reserved bits are not propagated.
    traceFlags: traceparent.traceFlags & KNOWN_FLAGS,
    isRemote: true,
    // Level 2 keys survive (core's TraceState would drop them).
    traceState: tracestate ? W3CTraceState.fromMembers(tracestate) : undefined,
  });
}
