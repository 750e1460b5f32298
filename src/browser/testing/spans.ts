/**
 * A recording tracer for the tracing unit tests: ended spans are kept in order; contexts follow
 * AsyncLocalStorage. No global propagator, as in a page: the instrumentation injects the headers itself.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-web';
import type { Tracer } from '@opentelemetry/api';

export interface RecordingTracer {
  tracer: Tracer;
  ended(): ReadableSpan[];
  /** Frees the global context manager. */
  close(): void;
}

export function recordingTracer(): RecordingTracer {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return {
    tracer: provider.getTracer('test'),
    ended: () => exporter.getFinishedSpans(),
    close() {
      context.disable();
    },
  };
}
