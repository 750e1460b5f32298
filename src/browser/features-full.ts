/** The full build's features: logs through @opentelemetry/sdk-logs, and tracing (zone-free, fetch, XHR). */
import { captureConsole } from './console/capture.js';
import type { Features } from './initialize.js';
import { createSdkLogger } from './logs/sdk-logger.js';
import { zoneFreeContext } from './tracing/context/promise-scope.js';
import { setupTracing } from './tracing/setup.js';

export const fullFeatures: Features = {
  captureConsole,
  createLogger: createSdkLogger,
  setupTracing: (o) => setupTracing(o, zoneFreeContext),
};
