/** The full build's features: logs through @opentelemetry/sdk-logs, and tracing (zone.js, fetch, XHR). */
import type { Features } from './initialize.js';
import { createSdkLogger } from './logs/sdk-logger.js';
import { setupTracing } from './tracing/setup.js';
import { safe } from './env.js';
import { captureConsole } from './console/capture.js';

export const fullFeatures: Features = {
  captureConsole,
  createLogger: (ctx, minLevel, emit) => createSdkLogger(Object.assign({ minLevel, emit }, ctx)),
  setupTracing: (c) =>
    setupTracing({
      win: c.win,
      endpoint: c.options.endpoint,
      propagateTraceHeaderCorsUrls: c.options.propagateTraceHeaderCorsUrls,
      sampleRate: c.options.sampleRate,
      resource: c.resource,
      scope: c.scope,
      sessionId: c.sessionId,
      push: c.push,
      diag: c.diag,
      documentLoad: c.options.instrumentDocumentLoad
        ? { win: c.win, document: safe(() => c.win.document), performance: safe(() => c.win.performance), url: c.pageUrl }
        : undefined,
    }),
};
