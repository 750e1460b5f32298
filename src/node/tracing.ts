import type { Context, Tracer, TracerProvider } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan, type Sampler, type SpanProcessor, type Span } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Attributes, InstrumentationScope, SpanRecord } from '../shared/model.js';
import type { Diag } from '../shared/diag.js';
import type { SanitizeLimits } from '../shared/sanitize.js';
import { toSpanRecord } from './span-record.js';
import { withRandomTraceFlag } from './random-trace-flag.js';

export interface Tracing {
  tracer: Tracer;
  /** The SDK provider (shutdown, forceFlush). Hand `tracerProvider` to instrumentations, not this one. */
  provider: BasicTracerProvider;
  /** `provider` with Trace Context Level 2's random-trace-id flag on its spans: what isotel registers globally. */
  tracerProvider: TracerProvider;
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry side of the Node SDK: a tracer provider whose ended spans become SpanRecords, wrapped so
 * its spans carry the random-trace-id flag (random-trace-flag.ts). Registering it, the propagator and the
 * context manager as the API's globals is global-registration.ts's job (configure.ts wires both).
 */
export function setupTracing(opts: {
  resource: Attributes;
  scope: InstrumentationScope;
  onSpan: (span: SpanRecord) => void;
  diag: Diag;
  sampler: Sampler;
  /** Span attributes get the logs' limits (logger.limits, OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT / _COUNT_LIMIT). */
  limits: SanitizeLimits;
}): Tracing {
  const scopeOf = scopeCache(opts.scope);
  const processor: SpanProcessor = {
    onStart(_span: Span, _ctx: Context) {},
    onEnd(span: ReadableSpan) {
      try {
        opts.onSpan(toSpanRecord(span, opts.resource, scopeOf(span.instrumentationScope), opts.limits));
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
    // Given explicitly: sdk-trace-base would otherwise read OTEL_* from process.env itself, past isotel's
    // precedence and diagnostics.
    sampler: opts.sampler,
    spanLimits: { attributeValueLengthLimit: opts.limits.maxStringLength, attributeCountLimit: opts.limits.maxAttributes },
  });
  const tracerProvider = withRandomTraceFlag(provider);
  const tracer = tracerProvider.getTracer(opts.scope.name, opts.scope.version);
  let done: Promise<void> | undefined;
  return {
    tracer,
    provider,
    tracerProvider,
    shutdown: () => (done ??= provider.shutdown().catch((err: unknown) => opts.diag.error('tracer shutdown failed', err))),
  };
}

/**
 * The record's scope is the tracer's (`trace.getTracer('pg', '1.2')` gives scope pg 1.2, not isotel): one
 * object per SDK scope, so a library's spans share it like isotel's own share `own`.
 */
function scopeCache(own: InstrumentationScope): (scope: ReadableSpan['instrumentationScope'] | undefined) => InstrumentationScope {
  const cache = new WeakMap<object, InstrumentationScope>();
  return (scope) => {
    if (scope === undefined || (scope.name === own.name && scope.version === own.version)) return own;
    let out = cache.get(scope);
    if (out === undefined) {
      out = scope.version ? { name: scope.name, version: scope.version } : { name: scope.name };
      if (scope.schemaUrl) out.schema_url = scope.schemaUrl;
      cache.set(scope, out);
    }
    return out;
  };
}
