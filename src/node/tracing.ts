import { context, trace, type Context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, type ReadableSpan, type Sampler, type SpanProcessor, type Span } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Attributes, InstrumentationScope, SpanRecord } from '../shared/model.js';
import type { Diag } from '../shared/diag.js';
import type { SanitizeLimits } from '../shared/sanitize.js';
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
 * and third-party instrumentations feed isotel too. The sampler and the attribute limits are given
 * explicitly, so sdk-trace-base never reads OTEL_* from process.env itself (isotel's configuration did,
 * with its precedence and diagnostics).
 */
export function setupTracing(opts: {
  resource: Attributes;
  scope: InstrumentationScope;
  onSpan: (span: SpanRecord) => void;
  registerGlobal: boolean;
  diag: Diag;
  sampler: Sampler;
  /** Span attributes get the logs' limits (logger.limits, OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT / _COUNT_LIMIT). */
  limits: SanitizeLimits;
}): Tracing {
  ensureContextManager(opts.diag);
  // One scope object per (name, version): records of one scope share it, so the JSONL writer serializes it once.
  const scopes = new Map<string, InstrumentationScope>();
  const scopeOf = (span: ReadableSpan): InstrumentationScope => {
    const s = span.instrumentationScope;
    if (!s?.name) return opts.scope;
    const key = `${s.name}\u0000${s.version ?? ''}`;
    let out = scopes.get(key);
    if (!out) scopes.set(key, (out = s.version ? { name: s.name, version: s.version } : { name: s.name }));
    return out;
  };
  const processor: SpanProcessor = {
    onStart(_span: Span, _ctx: Context) {},
    onEnd(span: ReadableSpan) {
      try {
        // A span keeps the scope of the tracer that started it (`@opentelemetry/instrumentation-pg`, an app's own).
        opts.onSpan(toSpanRecord(span, opts.resource, scopeOf(span), opts.limits));
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
    sampler: opts.sampler,
    spanLimits: { attributeValueLengthLimit: opts.limits.maxStringLength, attributeCountLimit: opts.limits.maxAttributes },
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
