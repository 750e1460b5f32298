/**
 * A recording tracer for the tracing unit tests: isotel's browser tracer (tracing/sdk/tracer.ts), sampling
 * everything; ended spans are kept in order; contexts follow AsyncLocalStorage. No global propagator, as in
 * a page: the instrumentation injects the headers itself.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Tracer } from '@opentelemetry/api';
import type { EndedSpan } from '../tracing/sdk/span.js';
import { createTracerProvider } from '../tracing/sdk/tracer.js';

export interface RecordingTracer {
  tracer: Tracer;
  ended(): EndedSpan[];
  /** Frees the global context manager. */
  close(): void;
}

/** A tracer sampling everything, whose ended spans are kept in `ended` (started ones in `started`, if given). */
export function recordingProvider(ended: EndedSpan[], started: EndedSpan[] = []): Tracer {
  return createTracerProvider(() => true, { onStart: (s) => void started.push(s), onEnd: (s) => void ended.push(s) }).getTracer('test');
}

export function recordingTracer(): RecordingTracer {
  const ended: EndedSpan[] = [];
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return {
    tracer: recordingProvider(ended),
    ended: () => ended,
    close() {
      context.disable();
    },
  };
}
