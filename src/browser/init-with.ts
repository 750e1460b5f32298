/** The `init` of a build with these features: what the script-tag builds call (they add the removal of their own frames). */
import type { BrowserDeps } from './env.js';
import { createTelemetry, type Features } from './initialize.js';
import { noopSpanApi } from './tracing/span-api.js';
import type { BrowserOptions, BrowserTelemetry } from './types.js';

export const initWith =
  (features: Features) =>
  (options: BrowserOptions, deps?: BrowserDeps): BrowserTelemetry =>
    // Not a spread: it would read `sessionId` (a getter: the session rolls over) once, at init.
    Object.setPrototypeOf(createTelemetry(options, features, deps), noopSpanApi) as BrowserTelemetry;
