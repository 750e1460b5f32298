import type { Diag } from '../../shared/diag.js';
import type { OpenedBackend } from '../open-backends.js';
import type { DispatchTarget } from './dispatcher.js';
import { withCircuitBreaker } from './breaker.js';
import { withRetry } from './retry.js';

/** A sink as the dispatcher drives it, with `retrying` true while a write waits between its retries. */
export interface EngineTarget extends DispatchTarget {
  retrying(): boolean;
  /** The last failure, also one a retry is still waiting on (the dispatcher learns of it only after the retries). */
  lastError(): { last_error: string; last_error_at: string } | undefined;
}

/**
 * The one retry policy and breaker of the engine, from the sink's configuration: `max_retries` retries of a
 * failed write, `retry_delay` seconds doubling (with full jitter, honouring Retry-After), then the circuit
 * breaker counts one failure (`circuit_breaker_threshold`, `_timeout`, `health_check_interval`); the
 * dispatcher then waits with the same backoff and tries again, for as long as it takes: records wait on disk.
 */
export function engineTarget(o: OpenedBackend, signal: AbortSignal, diag: Diag, batchSize?: number): EngineTarget {
  let retrying = false;
  let lastError: { last_error: string; last_error_at: string } | undefined;
  const failed = (reason: string) => {
    retrying = true;
    lastError = { last_error: reason, last_error_at: new Date().toISOString() };
  };
  const retried = withRetry(o.backend, { ...o.retry, signal, onRetry: ({ result }) => failed(result.reason) });
  const breaker = withCircuitBreaker(retried, { ...o.breaker, diag });
  const backend: typeof breaker = {
    ...breaker,
    async write(batch) {
      const r = await breaker.write(batch);
      if (r.status === 'retryable') failed(r.reason);
      else retrying = false;
      return r;
    },
  };
  const own = o.config.batch_size;
  return {
    name: o.name,
    backend,
    batchSize: typeof own === 'number' && own > 0 ? own : batchSize,
    maxInFlight: o.backend.maxInFlight,
    retry: { baseDelayMs: o.retry.baseDelayMs, maxDelayMs: o.retry.maxDelayMs },
    retrying: () => retrying || breaker.state() !== 'closed',
    lastError: () => lastError,
  };
}
