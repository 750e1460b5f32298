/**
 * A recording tracer for the tracing unit tests: ended spans are kept in order; contexts follow
 * AsyncLocalStorage and the W3C trace context propagator is the global one, as in a page.
 */
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-web';
import type { Tracer } from '@opentelemetry/api';

export interface RecordingTracer {
  tracer: Tracer;
  ended(): ReadableSpan[];
  /** Frees the global context manager and propagator. */
  close(): void;
}

export function recordingTracer(): RecordingTracer {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    tracer: provider.getTracer('test'),
    ended: () => exporter.getFinishedSpans(),
    close() {
      context.disable();
      propagation.disable();
    },
  };
}
