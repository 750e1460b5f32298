/**
 * `isotel/browser`: logs (through @opentelemetry/sdk-logs) and tracing (fetch, XHR, optional document
 * load; context through zone.js), delivered through a write-ahead IndexedDB queue.
 */
import type { BrowserDeps } from './env.js';
import { fullFeatures } from './features-full.js';
import { createTelemetry } from './initialize.js';
import type { BrowserOptions, Telemetry } from './types.js';

/** Starts telemetry for this page. Never throws: invalid options give a warning and a no-op telemetry. */
export function init(options: BrowserOptions, deps?: BrowserDeps): Telemetry {
  return createTelemetry(options, fullFeatures, deps);
}

export type {
  BrowserLogger,
  BrowserOptions,
  CorsUrlMatcher,
  FlushResult,
  Level,
  LogMethod,
  LogRecord,
  SpanRecord,
  StatusListener,
  Telemetry,
  TelemetryHealth,
} from './types.js';
export type { BrowserDeps } from './env.js';
