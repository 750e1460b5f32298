/** The lite build's features: records built directly, no tracing, no zone.js, one session per tab. */
import type { Features } from './initialize.js';
import { deferLogRecord } from './logs/build.js';
import { createLevelLogger } from './logs/level-logger.js';
import { tabSession } from './page/session.js';

export const liteFeatures: Features = {
  session: tabSession,
  createLogger: (ctx, minLevel, emit) => ({
    logger: createLevelLogger(minLevel, (level, message, attrs) => emit(deferLogRecord(ctx, level, message, attrs)), ctx.diag),
    shutdown: () => Promise.resolve(),
  }),
};
