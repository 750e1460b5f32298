/**
 * `isotel/browser/lite`: logs and error capture without tracing or zone.js, for pages where every
 * kilobyte counts. Same queue, sender and API as `isotel/browser` (the tracing options are ignored).
 */
import type { BrowserDeps } from './env.js';
import { liteFeatures } from './features-lite.js';
import { createTelemetry } from './initialize.js';
import type { BrowserOptions, Telemetry } from './types.js';

/** Starts telemetry for this page. Never throws: invalid options give a warning and a no-op telemetry. */
export function init(options: BrowserOptions, deps?: BrowserDeps): Telemetry {
  return createTelemetry(options, liteFeatures, deps);
}

export type {
  BrowserLogger,
  BrowserOptions,
  FlushResult,
  Level,
  LogMethod,
  LogRecord,
  StatusListener,
  Telemetry,
  TelemetryHealth,
} from './types.js';
export type { BrowserDeps } from './env.js';
