/**
 * `isotel/browser/lazy`: `isotel/browser` started after the page's load event (lazy-entry.ts). `init` returns at
 * once; the SDK is a chunk of its own in the app's bundle, fetched, evaluated and started after the load event,
 * and what the page did meanwhile (log calls with their times, uncaught errors, unhandled rejections) is replayed
 * to it. Until then: no spans (no-op spans), untraced fetches, `sessionId` '' (README, "The loader").
 */
import { lazyEntry } from './lazy-entry.js';
import { noopSpan } from './loader.js';
import type { BrowserOptions, BrowserTelemetry, Span, SpanOptions } from './types.js';

const start = /* @__PURE__ */ lazyEntry(() => import('./index.js'), 'isotel/browser/lazy');
let telemetry: BrowserTelemetry | undefined;

/** Starts telemetry for this page, the SDK after the page's load event. Never throws. */
export function init(options: BrowserOptions): BrowserTelemetry {
  return (telemetry = start(options));
}

/**
 * The span API as named exports, as `isotel/browser` has them: the telemetry's methods once `init` ran (spans that
 * record nothing until the SDK has started), before it a span that records nothing.
 */
export function startSpan(name: string, options?: SpanOptions): Span {
  return telemetry ? telemetry.startSpan(name, options) : noopSpan();
}
export function withSpan<T>(span: Span, fn: (span: Span) => T): T {
  return telemetry ? telemetry.withSpan(span, fn) : fn(span);
}
export function getActiveSpan(): Span | undefined {
  return telemetry ? telemetry.getActiveSpan() : undefined;
}

export type { BrowserLogger, BrowserOptions, BrowserTelemetry, FlushResult, Level, LogMethod, Span, SpanOptions, StatusListener, TelemetryHealth } from './types.js';
