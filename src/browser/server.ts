/**
 * `isotel/browser` (and `/lite`, `/zone`, `/metrics`) as Node resolves them (the `node` export condition): server-side rendering
 * imports the page's code in Node, and the browser build would install zone.js in that process (patching
 * its timers, promises and worker MessagePorts: a worker's reply then throws inside zone.js). Here `init`
 * records nothing and returns a telemetry whose calls do nothing; the page's own copy, loaded by the
 * browser, does the work.
 */
import { createBrowserDiag } from './diag-sink.js';
import { noopTelemetry } from './noop.js';
import { noopSpanApi } from './tracing/span-api.js';
import type { BrowserDeps } from './env.js';
import type { BrowserOptions, BrowserTelemetry, Span, SpanOptions } from './types.js';

// One warning per process however many pages render (the diag sink says each message once).
const diag = createBrowserDiag(globalThis.console);

/**
 * On the server: a telemetry that does nothing (nothing to record before the page runs in a browser); its
 * spans record nothing either (lite's callers simply do not use them).
 */
export function init(_options?: BrowserOptions, _deps?: BrowserDeps): BrowserTelemetry {
  const reason = 'isotel/browser does not record on the server (server-side rendering): init() returns a telemetry that does nothing';
  diag.warn(reason);
  return { ...noopSpanApi, ...noopTelemetry('', reason) };
}

/** The span API's named exports: spans that record nothing. */
export function startSpan(name: string, options?: SpanOptions): Span {
  return noopSpanApi.startSpan(name, options);
}
export function withSpan<T>(span: Span, fn: (span: Span) => T): T {
  return noopSpanApi.withSpan(span, fn);
}
export function getActiveSpan(): Span | undefined {
  return noopSpanApi.getActiveSpan();
}

// `isotel/browser/metrics` on the server: the page's meter, given the telemetry above (no queue), measures nothing.
export { createMeter } from './metrics/meter.js';
export type { BrowserMeter, Counter, Gauge, Histogram, InstrumentOptions, MeterDeps, MeterOptions } from './metrics/meter.js';

// The same public types as the browser entry (type-only: nothing of the browser build is loaded).
export type * from './index.js';
