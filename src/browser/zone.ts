/**
 * `isotel/browser/zone`: the same SDK and API as `isotel/browser`, with the trace context kept by zone.js
 * (@opentelemetry/context-zone, installed when this module loads): spans stay active across timers, event
 * listeners, XHR callbacks and promises. Built with async/await lowered to generators, which zone.js needs
 * (the app's own code needs the same to keep the context across its `await`s: README).
 */
import type { BrowserDeps } from './env.js';
import { zoneFeatures } from './features-zone.js';
import { createTelemetry } from './initialize.js';
import { noopSpanApi } from './tracing/span-api.js';
import type { BrowserOptions, BrowserTelemetry } from './types.js';

/** Starts telemetry for this page. Never throws: invalid options give a warning and a no-op telemetry. */
export function init(options: BrowserOptions, deps?: BrowserDeps): BrowserTelemetry {
  // Defaults under the telemetry (not a spread of it): its sessionId is a getter (the session rolls over).
  return Object.setPrototypeOf(createTelemetry(options, zoneFeatures, deps), noopSpanApi) as BrowserTelemetry;
}

/** The span API as named exports (the same as the telemetry's methods once init ran; no-op spans before). */
export { getActiveSpan, startSpan, withSpan } from './tracing/span-exports.js';

// The same public types as isotel/browser (type-only: the zone-free build is not loaded).
export type * from './index.js';
