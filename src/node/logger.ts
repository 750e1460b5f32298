import { trace, type Span, type Tracer } from '@opentelemetry/api';
import type { Attributes } from '../shared/model.js';
import { LEVELS, SEVERITY_NUMBER, SEVERITY_TEXT, parseLevel, type Level } from '../shared/severity.js';
import { sanitizeAttributes } from '../shared/sanitize.js';
import { context } from '@opentelemetry/api';
import { CORRELATION_ID_KEY, emit, type LoggerCore } from './logger-core.js';
import { runInSpan, type SpanOptions } from './spans.js';
import { makeTraced, type TracedDecorator, type TracedOptions } from './traced.js';
import type { BackendHealth } from './backends/types.js';
import type { Diag } from '../shared/diag.js';

export type LogMethod = (message: unknown, attributes?: Record<string, unknown>) => void;

export type { TracedOptions, TracedDecorator } from './traced.js';

export interface LoggerHealth {
  /** `disabled`: OTEL_SDK_DISABLED=true or `logger.disabled`; the logger does nothing. */
  status: 'healthy' | 'degraded' | 'disabled';
  backends: BackendHealth[];
  /** Repairs and drops counted on the diagnostic channel (`attributes.truncated`, `logs.after_close`, …). */
  counters: Record<string, number>;
  /** The delivery engine's durable log, when a network backend is configured (`refusing`: it is full). */
  delivery_log?: { bytes: number; max_bytes: number; refusing?: string };
}

export interface Logger {
  readonly trace: LogMethod;
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
  readonly fatal: LogMethod;
  log(level: Level | string, message: unknown, attributes?: Record<string, unknown>): void;
  /** A logger whose records all carry `bindings` as attributes. */
  child(bindings: Record<string, unknown>): Logger;
  withSpan<T>(name: string, attributes: Record<string, unknown> | undefined, fn: (span: Span) => T, options?: SpanOptions): T;
  withCorrelationId<T>(correlationId: string, fn: () => T): T;
  traced<A extends unknown[], R>(name: string, fn: (...args: A) => R, options?: TracedOptions): (...args: A) => R;
  traced(name?: string, options?: TracedOptions): TracedDecorator;
  /** The active trace and span ids, if a span is active. */
  activeTraceId(): string | undefined;
  activeSpanId(): string | undefined;
  readonly tracer: Tracer;
  /** The logger's internal diagnostic channel (integrations report their own trouble here; health() counts it). */
  readonly diag: Diag;
  level(): Level;
  setLevel(level: Level | string): void;
  health(): LoggerHealth;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** What the logger needs from its owner (configureLogger) beyond the core. */
export interface LoggerHost {
  tracer: Tracer;
  health(): LoggerHealth;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createLogger(core: LoggerCore, host: LoggerHost, bindings?: Attributes): Logger {
  const methods = Object.fromEntries(LEVELS.map((l) => [l, levelMethod(core, l, bindings)])) as Record<Level, LogMethod>;
  const logger: Logger = {
    ...methods,
    log(level, message, attributes) {
      const l = parseLevel(level);
      if (!l) {
        core.diag.count('logs.unknown_level');
        methods.info(message, { ...(attributes ?? {}), 'isotel.requested_level': String(level) });
        return;
      }
      methods[l](message, attributes);
    },
    child(extra) {
      try {
        const merged = { ...(bindings ?? {}), ...sanitizeAttributes(extra, core.settings.limits).attributes };
        return createLogger(core, host, merged);
      } catch (err) {
        core.diag.error('child logger bindings could not be read', err);
        return logger;
      }
    },
    withSpan(name, attributes, fn, options) {
      return runInSpan(host.tracer, core.diag, name, attributes, fn, options);
    },
    withCorrelationId(correlationId, fn) {
      let ctx;
      try {
        ctx = context.active().setValue(CORRELATION_ID_KEY, String(correlationId));
      } catch (err) {
        core.diag.error('correlation id could not be set', err);
        return fn();
      }
      return context.with(ctx, fn);
    },
    traced: makeTraced(core, host.tracer, methods),
    activeTraceId: () => trace.getSpanContext(context.active())?.traceId,
    activeSpanId: () => trace.getSpanContext(context.active())?.spanId,
    tracer: host.tracer,
    diag: core.diag,
    level: () => levelFromSeverity(core.settings.minSeverity),
    setLevel(level) {
      const l = parseLevel(level);
      if (!l) {
        core.diag.warn(`setLevel: unknown level ${String(level)}; kept ${logger.level()}`);
        return;
      }
      core.settings = { ...core.settings, minSeverity: SEVERITY_NUMBER[l] };
    },
    health: () => host.health(),
    flush: () => host.flush(),
    close: () => host.close(),
  };
  return logger;
}

/**
 * Each level is a closure over constants; a disabled level costs one comparison (levels can change on
 * reload, so they are checked per call rather than swapped for no-ops).
 */
function levelMethod(core: LoggerCore, level: Level, bindings: Attributes | undefined): LogMethod {
  const num = SEVERITY_NUMBER[level];
  const text = SEVERITY_TEXT[level];
  return (message, attributes) => {
    if (num < core.settings.minSeverity) return;
    emit(core, num, text, message, attributes, bindings);
  };
}

function levelFromSeverity(n: number): Level {
  for (const l of LEVELS) if (SEVERITY_NUMBER[l] >= n) return l;
  return 'fatal';
}
