import { trace, type Span, type Tracer } from '@opentelemetry/api';
import type { Attributes } from '../shared/model.js';
import { LEVELS, SEVERITY_NUMBER, SEVERITY_TEXT, parseLevel, type Level } from '../shared/severity.js';
import { sanitizeAttributes } from '../shared/sanitize.js';
import { context } from '@opentelemetry/api';
import { CORRELATION_ID_KEY, emit, addException, type LoggerCore } from './logger-core.js';
import { runInSpan, type SpanOptions } from './spans.js';
import type { BackendHealth } from './backends/types.js';
import type { Diag } from '../shared/diag.js';

export type LogMethod = (message: unknown, attributes?: Record<string, unknown>) => void;

export interface TracedOptions extends SpanOptions {
  /** Log `function.args` on start (off by default: arguments may hold personal data). */
  log_args?: boolean;
  /** Log start/end records as well as recording the span (default true, as in the original `@otel_trace`). */
  log_calls?: boolean;
}

export interface LoggerHealth {
  status: 'healthy' | 'degraded';
  backends: BackendHealth[];
  /** Repairs and drops counted on the diagnostic channel (`attributes.truncated`, `logs.after_close`, …). */
  counters: Record<string, number>;
  /** The delivery engine's durable log, when a network backend is configured (`refusing`: it is full). */
  delivery_log?: { bytes: number; max_bytes: number; refusing?: string };
}

/** A TypeScript method decorator, for both standard (TS 5) and `experimentalDecorators` forms. */
export interface TracedDecorator {
  <F extends (...args: never[]) => unknown>(value: F, context: ClassMethodDecoratorContext): F;
  (target: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
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
  // Each level is a closure over constants; a disabled level costs one comparison (levels can change on
  // reload, so they are checked per call rather than swapped for no-ops).
  const method = (level: Level): LogMethod => {
    const num = SEVERITY_NUMBER[level];
    const text = SEVERITY_TEXT[level];
    return (message, attributes) => {
      if (num < core.settings.minSeverity) return;
      emit(core, num, text, message, attributes, bindings);
    };
  };
  const methods = Object.fromEntries(LEVELS.map((l) => [l, method(l)])) as Record<Level, LogMethod>;

  const traced = ((nameOrUndefined?: string, fnOrOptions?: unknown, maybeOptions?: TracedOptions) => {
    if (typeof fnOrOptions === 'function') {
      return wrapTraced(core, host.tracer, methods, nameOrUndefined ?? fnOrOptions.name, fnOrOptions as (...a: unknown[]) => unknown, maybeOptions ?? {});
    }
    const options = (fnOrOptions ?? {}) as TracedOptions;
    const decorator = (target: unknown, ctxOrKey: unknown, descriptor?: PropertyDescriptor): unknown => {
      if (descriptor && typeof descriptor.value === 'function') {
        const name = nameOrUndefined ?? String(ctxOrKey);
        descriptor.value = wrapTraced(core, host.tracer, methods, name, descriptor.value as (...a: unknown[]) => unknown, options);
        return descriptor;
      }
      const name = nameOrUndefined ?? String((ctxOrKey as ClassMethodDecoratorContext).name);
      return wrapTraced(core, host.tracer, methods, name, target as (...a: unknown[]) => unknown, options);
    };
    return decorator;
  }) as Logger['traced'];

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
    traced,
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

function levelFromSeverity(n: number): Level {
  for (const l of LEVELS) if (SEVERITY_NUMBER[l] >= n) return l;
  return 'fatal';
}

function wrapTraced(
  core: LoggerCore,
  tracer: Tracer,
  log: Record<Level, LogMethod>,
  name: string,
  fn: (...args: unknown[]) => unknown,
  options: TracedOptions,
): (...args: unknown[]) => unknown {
  const logCalls = options.log_calls !== false;
  const functionName = fn.name || name;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    return runInSpan(
      tracer,
      core.diag,
      name,
      { 'operation.name': name, 'function.name': functionName },
      () => {
        const start = core.clock.nowMs();
        const base: Record<string, unknown> = { 'operation.name': name, 'function.name': functionName };
        if (logCalls) log.info(`Starting operation: ${name}`, options.log_args ? { ...base, 'function.args': args } : base);
        const done = () => {
          if (logCalls) log.info(`Completed operation: ${name}`, { ...base, duration_ms: core.clock.nowMs() - start });
        };
        const failed = (err: unknown) => {
          if (!logCalls) return;
          const attrs: Attributes = { 'operation.name': name, 'function.name': functionName, duration_ms: core.clock.nowMs() - start };
          if (err instanceof Error) addException(attrs, err);
          else attrs['exception.message'] = String(err);
          log.error(`Operation failed: ${name}`, attrs);
        };
        let result: unknown;
        try {
          result = fn.apply(this, args);
        } catch (err) {
          failed(err);
          throw err;
        }
        if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
          return Promise.resolve(result).then(
            (v) => {
              done();
              return v;
            },
            (err: unknown) => {
              failed(err);
              throw err;
            },
          );
        }
        done();
        return result;
      },
      options,
    );
  };
  Object.defineProperty(wrapped, 'name', { value: functionName });
  return wrapped;
}
