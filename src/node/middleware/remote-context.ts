import { ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { extractTraceContext, formatTracestate } from '../../shared/trace-context.js';

/**
 * The parent context of a server span: the caller's span (W3C `traceparent`, with its `tracestate`) when
 * the headers carry a valid one, otherwise the empty root context, so the request starts a new trace
 * instead of joining whatever span happened to be active when the server was created.
 */
export function remoteParentContext(headers: Record<string, string | string[] | undefined>): Context {
  const extracted = extractTraceContext(headers);
  if (extracted === null) return ROOT_CONTEXT;
  const { traceparent, tracestate } = extracted;
  const state = tracestate ? formatTracestate(tracestate) : '';
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: traceparent.traceId,
    spanId: traceparent.spanId,
    // Level 1 defines only the sampled bit; other bits are not propagated.
    traceFlags: traceparent.traceFlags & 1,
    isRemote: true,
    traceState: state ? new TraceState(state) : undefined,
  });
}
