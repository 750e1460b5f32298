import type { Tracer } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import type { SanitizeLimits } from '../shared/sanitize.js';
import type { Attributes, InstrumentationScope } from '../shared/model.js';
import type { SpanSource } from './record-buffer.js';
import type { Diag } from '../shared/diag.js';
import type { MetricsConfig, TracingConfig } from './config/index.js';
import type { LoggerCore } from './logger-core.js';
import { setupTracing } from './tracing.js';
import { createPropagateTo } from './propagate-to.js';
import { enableInstrumentations } from './instrumentations.js';
import { checkAppContextManager, registerGlobals } from './global-registration.js';
import { createOtelLoggerProvider } from './otel-logs.js';
import { createPropagator } from './trace-context-propagator.js';
import { ensureModuleHooks } from './auto/module-hooks.js';
import { METRICS_OFF, startMetrics, type StartedMetrics } from './metrics/meter-provider.js';
import type { PointSink } from './metrics/engine-exporter.js';
import { pathToFileURL } from 'node:url';

export interface StartedTracing {
  tracer: Tracer;
  /** The instrumentations enabled (by this logger). */
  instrumentations: readonly string[];
  /** Resolves when the ES-module loader hook knows the instrumented modules and the metrics port listens (configureLogger awaits it). */
  ready: Promise<void>;
  /**
   * A configuration reload: the sampler and propagate_to apply to spans and requests started from now on;
   * a change to the keys that patch libraries or claim globals is reported and waits for the next start.
   */
  reconfigure(next: TracingConfig, sampler: Sampler): void;
  /** Collects the meter provider now, its points into the record buffer (logger.flush()). Never rejects. */
  flushMetrics(): Promise<void>;
  /** Disables the instrumentations, releases the globals isotel holds, ends the meter and tracer providers. Idempotent. */
  shutdown(): Promise<void>;
}

/** Keys a running process cannot change: they patch libraries or register the API's globals at start. */
const RESTART_KEYS = ['instrumentations', 'register_global', 'propagators', 'ignore_incoming_paths'] as const;

/**
 * Everything `logger.tracing` and `logger.metrics` ask for, synchronously (before the app loads the libraries
 * the instrumentations patch): the tracer provider (sampler, limits, random-trace-id flag), the meter provider
 * (metrics/meter-provider.ts), the API's globals (tracer, logger and meter providers, isotel's W3C propagator
 * wrapped in the propagate_to allow-list, the context manager) when `registerGlobal`, and the official
 * instrumentations, given the tracer provider wrapped so that their CLIENT spans to destinations outside
 * propagate_to are marked for the allow-list, and the meter provider (their metrics, e.g.
 * http.server.request.duration, need no code).
 */
export function startTracing(opts: {
  config: TracingConfig;
  metrics: MetricsConfig;
  registerGlobal: boolean;
  resource: Attributes;
  scope: InstrumentationScope;
  core: LoggerCore;
  diag: Diag;
  onSpan: (span: SpanSource) => void;
  onPoints?: PointSink;
  sampler: Sampler;
  limits: SanitizeLimits;
}): StartedTracing {
  const { config, diag } = opts;
  const tracing = setupTracing({ resource: opts.resource, scope: opts.scope, diag, onSpan: opts.onSpan, sampler: opts.sampler, limits: opts.limits });
  const guard = createPropagateTo(config.propagate_to);
  let globals: { release(): void } | undefined;
  const metrics = opts.registerGlobal ? startMetrics({ config: opts.metrics, resource: opts.resource, diag, onPoints: opts.onPoints }) : noMetrics(opts.metrics, diag);
  if (opts.registerGlobal) {
    const formats = createPropagator(config.propagators);
    const propagator = formats && formats.fields().length > 0 ? guard.wrapPropagator(formats) : undefined;
    const meterProvider = metrics.meterProvider;
    globals = registerGlobals({ tracerProvider: tracing.tracerProvider, loggerProvider: createOtelLoggerProvider(opts.core), meterProvider, propagator, diag });
  } else {
    checkAppContextManager(diag);
  }
  // The instrumentations need isotel's globals (the context manager that carries the active span and the
  // suppression of isotel's own I/O, the propagator): with register_global false the app's own SDK and its
  // instrumentations are in charge, and a second patch of the same libraries would record every call twice.
  const names = opts.registerGlobal ? config.instrumentations : [];
  if (!opts.registerGlobal && config.instrumentations.length > 0) diag.debug('register_global is false: isotel enables no instrumentations (the app\'s SDK brings its own)');
  // Before the instrumentations: they tell the hook their module names as they are enabled.
  const hooked = names.length > 0 ? ensureModuleHooks(moduleBase(), (err) => diag.warn('ES-module hooks not registered: ES modules the app imports are not instrumented', err)) : Promise.resolve();
  const tracerProvider = guard.wrapTracerProvider(tracing.tracerProvider);
  const ignoreIncomingPorts = metrics.port === undefined ? [] : [metrics.port];
  const instrumentations = enableInstrumentations({ names, ignoreIncomingPaths: config.ignore_incoming_paths, ignoreIncomingPorts, tracerProvider, meterProvider: metrics.meterProvider, diag });
  let done: Promise<void> | undefined;
  let current = config;
  return {
    tracer: tracing.tracer,
    instrumentations: instrumentations.names,
    ready: Promise.all([hooked, metrics.ready]).then(() => {}),
    flushMetrics: () => metrics.flush(),
    reconfigure(next, sampler) {
      tracing.setSampler(sampler);
      guard.update(next.propagate_to);
      const kept = RESTART_KEYS.filter((k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]));
      if (kept.length > 0) diag.warn(`config reload: logger.tracing.${kept.join(', logger.tracing.')} change(s) apply at the next start (they patch libraries or register globals)`);
      current = next;
    },
    shutdown: () =>
      (done ??= (async () => {
        instrumentations.disable();
        globals?.release();
        await metrics.shutdown();
        await tracing.shutdown();
      })()),
  };
}

/** register_global false: the app's SDK owns the API's meter provider; isotel starts none, so it serves no port. */
function noMetrics(config: MetricsConfig, diag: Diag): StartedMetrics {
  if (config.enabled && config.prometheus.port !== undefined) {
    diag.warn('logger.metrics.prometheus.port is set but logger.tracing.register_global is false: isotel registers no meter provider and serves no metrics port (the app\'s SDK brings its own)');
  }
  return METRICS_OFF;
}

/** This file's location, in the ESM and the CJS build alike (to resolve @opentelemetry/instrumentation from). */
function moduleBase(): string | URL {
  return typeof __filename === 'string' ? pathToFileURL(__filename) : new URL(import.meta.url);
}
