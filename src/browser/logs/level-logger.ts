/**
 * The six level methods. Levels below the minimum are one shared no-op function (a call costs nothing
 * and `logger.debug === logger.trace` when both are off); the others never throw into the page.
 */
import type { Diag } from '../../shared/diag.js';
import { type Level, LEVELS, SEVERITY_NUMBER } from '../../shared/severity.js';
import type { BrowserLogger, LogMethod } from '../types.js';

const noop: LogMethod = () => {};

/** A log call or its record's build (initialize.ts) threw: counted and reported, never thrown into the page. */
export function logFailed(diag: Diag, err: unknown): void {
  diag.count('logs.failed');
  diag.error('B20' /* a log record could not be built */, err);
}

export function createLevelLogger(minLevel: Level, log: (level: Level, message: unknown, attributes: Record<string, unknown> | undefined) => void, diag: Diag): BrowserLogger {
  const min = SEVERITY_NUMBER[minLevel];
  const method = (level: Level): LogMethod =>
    SEVERITY_NUMBER[level] < min
      ? noop
      : (message, attributes) => {
          try {
            log(level, message, attributes);
          } catch (err) {
            logFailed(diag, err);
          }
        };
  const logger = {} as Record<Level, LogMethod>;
  for (const level of LEVELS) logger[level] = method(level);
  return logger as BrowserLogger;
}
