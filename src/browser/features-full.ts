/** The full build's features: logs with the active span's trace context, and tracing (zone-free, fetch, XHR, clicks and routes). */
import { captureConsole } from './console/capture.js';
import type { Features } from './initialize.js';
import { createContextLogger } from './logs/context-logger.js';
import { createSession } from './page/session.js';
import { zoneFreeContext } from './tracing/context/promise-scope.js';
import { instrumentInteractions } from './tracing/interactions.js';
import { setupTracing } from './tracing/setup.js';

export const fullFeatures: Features = {
  session: createSession,
  captureConsole,
  createLogger: createContextLogger,
  setupTracing: (o) => setupTracing(o, zoneFreeContext, (tracer, t) => instrumentInteractions(tracer, t.win, t.diag)),
};
