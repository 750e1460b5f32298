import type { Tracer } from '@opentelemetry/api';
import type { Attributes } from '../shared/model.js';
import { addException, type LoggerCore } from './logger-core.js';
import { runInSpan, type SpanOptions } from './spans.js';

export interface TracedOptions extends SpanOptions {
  /** Log `function.args` on start (off by default: arguments may hold personal data). */
  log_args?: boolean;
  /** Log start/end records as well as recording the span (default true, as in the original `@otel_trace`). */
  log_calls?: boolean;
}

/** A TypeScript method decorator, for both standard (TS 5) and `experimentalDecorators` forms. */
export interface TracedDecorator {
  <F extends (...args: never[]) => unknown>(value: F, context: ClassMethodDecoratorContext): F;
  (target: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
}

/** `logger.traced`: wraps a function, or (without one) returns a method decorator. */
export interface Traced {
  <A extends unknown[], R>(name: string, fn: (...args: A) => R, options?: TracedOptions): (...args: A) => R;
  (name?: string, options?: TracedOptions): TracedDecorator;
}

/** The two level methods a traced call logs with (the logger's own, so bindings and level apply). */
export interface TracedLog {
  info(message: unknown, attributes?: Record<string, unknown>): void;
  error(message: unknown, attributes?: Record<string, unknown>): void;
}

export function makeTraced(core: LoggerCore, tracer: Tracer, log: TracedLog): Traced {
  return ((nameOrUndefined?: string, fnOrOptions?: unknown, maybeOptions?: TracedOptions) => {
    if (typeof fnOrOptions === 'function') {
      return wrapTraced(core, tracer, log, nameOrUndefined ?? fnOrOptions.name, fnOrOptions as (...a: unknown[]) => unknown, maybeOptions ?? {});
    }
    const options = (fnOrOptions ?? {}) as TracedOptions;
    const decorator = (target: unknown, ctxOrKey: unknown, descriptor?: PropertyDescriptor): unknown => {
      if (descriptor && typeof descriptor.value === 'function') {
        const name = nameOrUndefined ?? String(ctxOrKey);
        descriptor.value = wrapTraced(core, tracer, log, name, descriptor.value as (...a: unknown[]) => unknown, options);
        return descriptor;
      }
      const name = nameOrUndefined ?? String((ctxOrKey as ClassMethodDecoratorContext).name);
      return wrapTraced(core, tracer, log, name, target as (...a: unknown[]) => unknown, options);
    };
    return decorator;
  }) as Traced;
}

function wrapTraced(
  core: LoggerCore,
  tracer: Tracer,
  log: TracedLog,
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
