/**
 * `isotel/browser/lazy`: `isotel/browser` started after the page's load event (lazy-entry.ts). `init` returns at
 * once; the SDK is a chunk of its own in the app's bundle, fetched, evaluated and started after the load event,
 * and what the page did meanwhile (log calls with their times, uncaught errors, unhandled rejections) is replayed
 * to it. Until then: no spans (no-op spans), untraced fetches, `sessionId` '' (README, "The loader").
 */
import { lazyEntry } from './lazy-entry.js';

/** Starts telemetry for this page, the SDK after the page's load event. Never throws. */
export const init = /* @__PURE__ */ lazyEntry(() => import('./index.js'), 'isotel/browser/lazy');

export type { BrowserLogger, BrowserOptions, BrowserTelemetry, FlushResult, Level, LogMethod, Span, SpanOptions, StatusListener, TelemetryHealth } from './types.js';
