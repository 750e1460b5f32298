/** The zone build's features: the full build's, with zone.js keeping the context (full async context). */
import { captureConsole } from './console/capture.js';
import type { Features } from './initialize.js';
import { createContextLogger } from './logs/context-logger.js';
import { createSession } from './page/session.js';
import { zoneContext } from './tracing/context/zone.js';
import { setupTracing } from './tracing/setup.js';

export const zoneFeatures: Features = {
  session: createSession,
  captureConsole,
  createLogger: createContextLogger,
  setupTracing: (o) => setupTracing(o, zoneContext),
};
