import type { Tracer, TracerProvider } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import type { Attributes, InstrumentationScope } from '../shared/model.js';
import type { Diag } from '../shared/diag.js';
import type { SanitizeLimits } from '../shared/sanitize.js';
import { IsotelTracerProvider } from './tracer/tracer.js';
import type { SpanSource } from './record-buffer.js';

export interface Tracing {
  tracer: Tracer;
  /** What isotel registers globally and gives the instrumentations. */
  tracerProvider: TracerProvider;
  /** Replaces the sampler (a configuration reload): spans started from now on are sampled by it. */
  setSampler(sampler: Sampler): void;
  /** Nothing to release today (spans go where `onSpan` sends them, which decides when to stop). */
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry side of the Node SDK: a tracer provider (tracer/tracer.ts) whose ended spans go to
 * `onSpan` as they are (the record is built when the buffer hands them on). Registering it, the propagator
 * and the context manager as the API's globals is global-registration.ts's job (configure.ts wires both).
 */
export function setupTracing(opts: {
  resource: Attributes;
  scope: InstrumentationScope;
  onSpan: (span: SpanSource) => void;
  diag: Diag;
  sampler: Sampler;
  limits: SanitizeLimits;
}): Tracing {
  const core = {
    sampler: opts.sampler,
    limits: opts.limits,
    eventLimit: 128,
    linkLimit: 128,
    perItemAttributeLimit: 128,
    resource: opts.resource,
    diag: opts.diag,
    onEnd: opts.onSpan,
  };
  const tracerProvider = new IsotelTracerProvider(core, opts.scope);
  return {
    tracer: tracerProvider.getTracer(opts.scope.name, opts.scope.version),
    tracerProvider,
    setSampler(sampler) {
      core.sampler = sampler;
    },
    shutdown: () => Promise.resolve(),
  };
}
