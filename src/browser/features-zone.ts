/** The zone build's features: the full build's, with zone.js keeping the context (full async context). */
import { captureConsole } from './console/capture.js';
import { withoutFrames } from './errors/own-frames.js';
import type { Features } from './initialize.js';
import { createContextLogger } from './logs/context-logger.js';
import { createSession } from './page/session.js';
import { zoneContext } from './tracing/context/zone.js';
import { setupTracing } from './tracing/setup.js';

/** zone.js's frames, in its own file (an app's development build) or by its classes' names. */
const ZONE_FRAME = /\/zone(?:\.min)?\.js\b|\b_?Zone(?:Impl|Delegate|AwarePromise)?\.\w/;

/** Captured errors lose zone.js's frames (errors/own-frames.ts): the app's frame is the culprit. */
export const zoneFeatures: Features = withoutFrames(
  {
    session: createSession,
    captureConsole,
    createLogger: createContextLogger,
    setupTracing: (o) => setupTracing(o, zoneContext),
  },
  (line) => ZONE_FRAME.test(line),
);
