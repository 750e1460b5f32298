/**
 * `isotel/browser`: logs (with the active span's trace context), tracing (fetch, XHR, optional document load)
 * and a span API, delivered through a write-ahead IndexedDB queue. Zone-free: the trace context follows
 * the synchronous call stack and `withSpan`'s await chain (tracing/context/promise-scope.ts); for full
 * async context (timers, event listeners), `isotel/browser/zone`.
 */
import type { BrowserDeps } from './env.js';
import { fullFeatures } from './features-full.js';
import { createTelemetry } from './initialize.js';
import { noopSpanApi } from './tracing/span-api.js';
import type { BrowserOptions, BrowserTelemetry } from './types.js';

/** Starts telemetry for this page. Never throws: invalid options give a warning and a no-op telemetry. */
export function init(options: BrowserOptions, deps?: BrowserDeps): BrowserTelemetry {
  // Defaults under the telemetry (not a spread of it): its sessionId is a getter (the session rolls over).
  return Object.setPrototypeOf(createTelemetry(options, fullFeatures, deps), noopSpanApi) as BrowserTelemetry;
}

/** The span API as named exports (the same as the telemetry's methods once init ran; no-op spans before). */
export { getActiveSpan, startSpan, withSpan } from './tracing/span-exports.js';

export type {
  BrowserLogger,
  BrowserOptions,
  BrowserTelemetry,
  CorsUrlMatcher,
  FlushResult,
  HttpSpanNameInput,
  Level,
  LogMethod,
  LogRecord,
  Span,
  SpanApi,
  SpanOptions,
  SpanRecord,
  StatusListener,
  Telemetry,
  TelemetryHealth,
} from './types.js';
export type { BrowserDeps } from './env.js';
