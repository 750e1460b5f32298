/** The lite build's features: records built directly, no tracing, no zone.js. */
import type { Features } from './initialize.js';
import { buildLogRecord } from './logs/build.js';
import { createLevelLogger } from './logs/level-logger.js';

export const liteFeatures: Features = {
  createLogger: (ctx, minLevel, emit) => ({
    logger: createLevelLogger(minLevel, (level, message, attrs) => emit(buildLogRecord(ctx, level, message, attrs)), ctx.diag),
    shutdown: () => Promise.resolve(),
  }),
};
