import { ProxyTracerProvider } from '@opentelemetry/api';
import type { Diag } from '../shared/diag.js';
import { createRecordIdGenerator } from '../shared/ids.js';
import { DEFAULT_SANITIZE_LIMITS } from '../shared/sanitize.js';
import { systemClock } from '../shared/time.js';
import { createRedactor } from '../shared/redact.js';
import { RecordBuffer } from './record-buffer.js';
import { createLogger, type Logger } from './logger.js';
import type { LoggerCore } from './logger-core.js';

/**
 * The logger of a disabled SDK (OTEL_SDK_DISABLED=true, `logger.disabled: true`): the same interface, every
 * method a safe no-op. No backend is opened, nothing is registered globally, no record is built (the level
 * is above FATAL, and the core is closed should setLevel lower it), and withSpan / traced run the function
 * with the OpenTelemetry API's no-op tracer (a remote parent's context still passes through). health() says
 * `disabled`.
 */
export function createDisabledLogger(diag: Diag): Logger {
  const core: LoggerCore = {
    settings: {
      minSeverity: Number.POSITIVE_INFINITY,
      console: false,
      limits: DEFAULT_SANITIZE_LIMITS,
      bodyLimits: DEFAULT_SANITIZE_LIMITS,
      redactor: createRedactor({ keys: [], patterns: [], useDefaults: false }),
    },
    resource: {},
    scope: { name: 'isotel' },
    clock: systemClock,
    newId: createRecordIdGenerator(),
    diag,
    count: () => {},
    buffer: new RecordBuffer({ enqueue: () => {} }),
    closed: true,
  };
  const tracer = new ProxyTracerProvider().getTracer('isotel');
  const done = () => Promise.resolve();
  return createLogger(core, { tracer, health: () => ({ status: 'disabled', backends: [], counters: {} }), flush: done, close: done });
}
