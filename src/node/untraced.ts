import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/**
 * Runs `fn` (and every callback and `await` continuation it starts) with tracing suppressed: isotel's own
 * I/O to its backends (PostgreSQL through `pg`, Elasticsearch through undici) must not be recorded by the
 * instrumentations, or every batch written would produce spans to write, without end.
 */
export function untraced<T>(fn: () => T): T {
  return context.with(suppressTracing(context.active()), fn);
}
