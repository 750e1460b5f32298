import { ROOT_CONTEXT, context, createContextKey, metrics, propagation, trace, type ContextManager, type MeterProvider, type ProxyTracerProvider, type TextMapPropagator, type TracerProvider } from '@opentelemetry/api';
import { logs, type LoggerProvider } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Diag } from '../shared/diag.js';

/** What isotel put into the OpenTelemetry API's globals; release() takes back what is still isotel's. */
export interface GlobalRegistration {
  /** Which globals isotel holds (false: another SDK had registered one first, and keeps it). */
  readonly registered: { contextManager: boolean; tracerProvider: boolean; propagator: boolean; loggerProvider: boolean; meterProvider: boolean };
  /** Idempotent. Unregisters each global only while it is still isotel's (the app may have replaced it). */
  release(): void;
}

/**
 * `logger.tracing.register_global: true`: isotel's tracer provider, logger provider (`@opentelemetry/api-logs`),
 * meter provider (unless `logger.metrics.enabled` is false), propagator and an AsyncLocalStorage context
 * manager become the API's globals, so libraries that speak
 * `@opentelemetry/api` record into isotel. The API keeps the first registration of each: where the app
 * registered its own, that one stays, isotel says so on the diag channel (debug) and records alongside it.
 */
export function registerGlobals(opts: {
  tracerProvider: TracerProvider;
  loggerProvider: LoggerProvider;
  /** undefined (`logger.metrics.enabled: false`): no global meter provider is registered. */
  meterProvider: MeterProvider | undefined;
  /** undefined or no fields (`propagators: [none]`): no global propagator is registered. */
  propagator: TextMapPropagator | undefined;
  diag: Diag;
}): GlobalRegistration {
  const { tracerProvider, loggerProvider, meterProvider, propagator, diag } = opts;
  const releaseContext = acquireContextManager(diag);
  const registered = {
    contextManager: releaseContext !== undefined,
    tracerProvider: trace.setGlobalTracerProvider(tracerProvider),
    propagator: propagator !== undefined && propagator.fields().length > 0 && propagation.setGlobalPropagator(propagator),
    loggerProvider: logs.setGlobalLoggerProvider(loggerProvider) === loggerProvider,
    meterProvider: meterProvider !== undefined && metrics.setGlobalMeterProvider(meterProvider),
  };
  const wanted: Record<string, boolean> = { propagator: !!propagator?.fields().length, meterProvider: meterProvider !== undefined };
  for (const [name, ok] of Object.entries(registered)) {
    if (!ok && (wanted[name] ?? true)) diag.debug(`a global OpenTelemetry ${name} exists; isotel keeps it and records alongside`);
  }
  let released = false;
  return {
    registered,
    release() {
      if (released) return;
      released = true;
      // Identity checks with the public API only: the proxy's delegate, the propagator's one fields() array
      // (trace-context-propagator.ts), the logs API's provider, the context manager answering a probe.
      if (registered.tracerProvider && (trace.getTracerProvider() as ProxyTracerProvider).getDelegate?.() === tracerProvider) trace.disable();
      if (registered.propagator && propagator !== undefined && propagation.fields() === propagator.fields()) propagation.disable();
      if (registered.loggerProvider && logs.getLoggerProvider() === loggerProvider) logs.disable();
      if (registered.meterProvider && metrics.getMeterProvider() === meterProvider) metrics.disable();
      releaseContext?.();
    },
  };
}

/**
 * `register_global: false`: isotel registers nothing and uses the app's globals. Its spans and log
 * correlation follow async work only through a context manager, so a missing one is worth a warning.
 */
export function checkAppContextManager(diag: Diag): void {
  if (!answersProbe(undefined)) {
    diag.warn(
      'logger.tracing.register_global is false and no OpenTelemetry context manager is registered: spans and log correlation will not follow async work. Start your OpenTelemetry SDK before configureLogger, or register one.',
    );
  }
}

const PROBE = createContextKey('isotel.probe');

/** Whether `manager` (or, when undefined, any context manager) is the global one: it sees a context set through the API. */
function answersProbe(manager: ContextManager | undefined): boolean {
  const probe = ROOT_CONTEXT.setValue(PROBE, true);
  return context.with(probe, () => (manager ?? context).active() === probe);
}

/**
 * One AsyncLocalStorage context manager per process, shared by the isotel loggers alive in it: a second
 * configureLogger while the first is open uses the first one's, and it is unregistered when the last of them
 * closes (not when the first closes, which would cut the other's spans off from async work). The state
 * mirrors the process-wide global it manages; every acquire is matched by a release on close.
 */
let shared: { manager: AsyncLocalStorageContextManager; users: number } | undefined;

function acquireContextManager(diag: Diag): (() => void) | undefined {
  if (shared === undefined || !answersProbe(shared.manager)) {
    const manager = new AsyncLocalStorageContextManager().enable();
    if (!context.setGlobalContextManager(manager)) {
      manager.disable();
      return undefined; // the app's own: registerGlobals reports it
    }
    shared = { manager, users: 0 };
  }
  const mine = shared;
  mine.users++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--mine.users > 0) return;
    if (answersProbe(mine.manager)) context.disable();
    mine.manager.disable();
    if (shared === mine) shared = undefined;
  };
}
