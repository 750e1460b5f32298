/** What init returns when it cannot run (invalid options, no window): a telemetry that does nothing. */
import type { BrowserLogger, Telemetry, TelemetryHealth } from './types.js';

const noop = (): void => undefined;

export function noopTelemetry(sessionId = '', lastError?: string): Telemetry {
  const logger: BrowserLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop };
  const health = (): TelemetryHealth => ({
    queued: 0,
    inFlight: 0,
    delivered: 0,
    beaconed: 0,
    dropped: { total: 0, reasons: {} },
    lastError,
    sender: false,
    storage: 'none',
    sessionId,
  });
  return {
    logger,
    sessionId,
    flush: () => Promise.resolve({ done: true, queued: 0 }),
    shutdown: () => Promise.resolve(),
    health,
    subscribe: () => noop,
  };
}
