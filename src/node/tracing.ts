import { context, trace, type Context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor, type Span } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Attributes, InstrumentationScope, SpanRecord } from '../shared/model.js';
import type { Diag } from '../shared/diag.js';
import { toSpanRecord } from './span-record.js';

export interface Tracing {
  tracer: Tracer;
  provider: BasicTracerProvider;
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry side of the Node SDK: an AsyncLocalStorage context manager (so the active span follows
 * `await`, timers and `Promise.all`) and a tracer provider whose ended spans become SpanRecords.
 * The context manager is registered globally only when none is registered yet (the API allows one); the
 * tracer provider is registered globally when `registerGlobal` is set and none is, so `trace.getTracer()`
 * and third-party instrumentations feed isotel too.
 */
export function setupTracing(opts: {
  resource: Attributes;
  scope: InstrumentationScope;
  onSpan: (span: SpanRecord) => void;
  registerGlobal: boolean;
  diag: Diag;
}): Tracing {
  ensureContextManager(opts.diag);
  const processor: SpanProcessor = {
    onStart(_span: Span, _ctx: Context) {},
    onEnd(span: ReadableSpan) {
      try {
        // A span keeps the scope of the tracer that started it (`@opentelemetry/instrumentation-pg`, an app's own).
        const scope = span.instrumentationScope?.name ? { name: span.instrumentationScope.name, version: span.instrumentationScope.version } : opts.scope;
        opts.onSpan(toSpanRecord(span, opts.resource, scope));
      } catch (err) {
        opts.diag.count('spans.conversion_failed');
        opts.diag.error('a span could not be recorded', err);
      }
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(opts.resource as Record<string, string | number | boolean>),
    spanProcessors: [processor],
  });
  if (opts.registerGlobal) {
    // setGlobalTracerProvider returns false (and keeps the existing one) when the host registered its own.
    if (!trace.setGlobalTracerProvider(provider)) opts.diag.debug('a global tracer provider exists; isotel keeps its own');
  }
  const tracer = provider.getTracer(opts.scope.name, opts.scope.version);
  let done: Promise<void> | undefined;
  return {
    tracer,
    provider,
    shutdown: () => (done ??= provider.shutdown().catch((err: unknown) => opts.diag.error('tracer shutdown failed', err))),
  };
}

let contextManagerChecked = false;

function ensureContextManager(diag: Diag): void {
  if (contextManagerChecked) return;
  contextManagerChecked = true;
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  if (!context.setGlobalContextManager(manager)) {
    manager.disable();
    diag.debug('a global context manager exists; isotel uses it');
  }
}
