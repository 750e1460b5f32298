import type { Tracer } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import type { SanitizeLimits } from '../shared/sanitize.js';
import type { Attributes, InstrumentationScope, SpanRecord } from '../shared/model.js';
import type { Diag } from '../shared/diag.js';
import type { TracingConfig } from './config/index.js';
import { setupTracing } from './tracing.js';
import { createPropagateTo } from './propagate-to.js';
import { registerGlobalPropagator } from './global-propagator.js';
import { enableInstrumentations } from './instrumentations.js';

export interface StartedTracing {
  tracer: Tracer;
  /** The instrumentations enabled (by this logger). */
  instrumentations: readonly string[];
  /** Disables the instrumentations, unregisters the global propagator, ends the tracer provider. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Everything `logger.tracing` asks for, synchronously: the tracer provider, the global propagator wrapped in
 * the propagate_to allow-list, and the official instrumentations (given the provider wrapped so that their
 * CLIENT spans to other destinations are marked for the allow-list).
 */
export function startTracing(opts: {
  config: TracingConfig;
  registerGlobal: boolean;
  resource: Attributes;
  scope: InstrumentationScope;
  diag: Diag;
  onSpan: (span: SpanRecord) => void;
  sampler: Sampler;
  limits: SanitizeLimits;
}): StartedTracing {
  const { config, diag } = opts;
  const tracing = setupTracing({ resource: opts.resource, scope: opts.scope, registerGlobal: opts.registerGlobal, diag, onSpan: opts.onSpan, sampler: opts.sampler, limits: opts.limits });
  const guard = createPropagateTo(config.propagate_to);
  const unregisterPropagator = opts.registerGlobal ? registerGlobalPropagator(config.propagators, guard, diag) : () => {};
  const instrumentations = enableInstrumentations({
    names: config.instrumentations,
    tracerProvider: guard.wrapTracerProvider(tracing.provider),
    diag,
  });
  let done: Promise<void> | undefined;
  return {
    tracer: tracing.tracer,
    instrumentations: instrumentations.names,
    shutdown: () =>
      (done ??= (async () => {
        instrumentations.disable();
        unregisterPropagator();
        await tracing.shutdown();
      })()),
  };
}
