/**
 * `isotel/browser/lite/lazy`: `isotel/browser/lite` started after the page's load event, as `isotel/browser/lazy`
 * starts the full build (lazy-entry.ts).
 */
import { lazyEntry } from './lazy-entry.js';
import type { RealInit } from './loader.js';
import type { BrowserOptions, Telemetry } from './types.js';

/** Starts telemetry for this page, the SDK after the page's load event. Never throws. */
// Lite's telemetry has no span methods; the loader asks for them before calling (loader.ts startSpan).
export const init: (options: BrowserOptions) => Telemetry = /* @__PURE__ */ lazyEntry(
  () => import('./lite.js') as Promise<{ init: RealInit }>,
  'isotel/browser/lite/lazy',
);

export type { BrowserLogger, BrowserOptions, FlushResult, Level, LogMethod, StatusListener, Telemetry, TelemetryHealth } from './types.js';
