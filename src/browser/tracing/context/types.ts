/**
 * How a browser entry keeps the trace context: the context manager it registers, and how `withSpan` runs
 * a function in a context (zone-free: kept through the returned promise; zone.js: through everything).
 */
import type { Context, ContextManager } from '@opentelemetry/api';

export interface ContextChoice {
  manager: ContextManager;
  run<T>(ctx: Context, fn: () => T): T;
}
