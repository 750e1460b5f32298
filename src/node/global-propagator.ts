import { propagation, type TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Diag } from '../shared/diag.js';
import type { PropagatorName } from './config/index.js';
import type { PropagateTo } from './propagate-to.js';

/**
 * Registers the OpenTelemetry API's global propagator (what the instrumentations inject and extract with):
 * the formats of `logger.tracing.propagators`, wrapped in the `propagate_to` allow-list. When the app already
 * registered one, that one stays (and decides alone which requests carry headers). Returns the unregistration,
 * run by logger.close(), so a later logger can register its own.
 *
 * INTEGRATION NOTE: isotel's own W3C Trace Context propagator (trace-context.ts, Level 2 flags, tracestate
 * grammar) replaces W3CTraceContextPropagator here; the allow-list wraps whatever this function builds.
 */
export function registerGlobalPropagator(names: readonly PropagatorName[], guard: PropagateTo, diag: Diag): () => void {
  const propagators: TextMapPropagator[] = [];
  if (names.includes('tracecontext')) propagators.push(new W3CTraceContextPropagator());
  if (names.includes('baggage')) propagators.push(new W3CBaggagePropagator());
  const wrapped = guard.wrapPropagator(new CompositePropagator({ propagators }));
  if (!propagation.setGlobalPropagator(wrapped)) {
    diag.debug('a global propagator exists; isotel keeps it, and propagate_to is not applied to it');
    return () => {};
  }
  let done = false;
  return () => {
    if (done) return;
    done = true;
    propagation.disable();
  };
}
