import type { Batch } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import { errorMessage, retryable, type WriteResult } from '../../shared/result.js';
import type { Backend } from '../backends/types.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive retryable results that open the circuit. */
  threshold: number;
  /** How long the circuit stays open before one trial write is let through. */
  timeoutMs: number;
  /** While open, how often the backend's ping() is tried (0 = never); a true answer half-opens the circuit. */
  healthCheckIntervalMs: number;
  now?: () => number;
  /** Told of every state change (for logging and health). */
  onStateChange?: (state: BreakerState) => void;
  diag?: Diag;
}

export type CircuitBreakerBackend = Backend & { state(): BreakerState };

/**
 * A circuit breaker around a backend. Closed: writes pass; `threshold` consecutive retryable results open it.
 * Open: writes return retryable at once (delayMs = time left before the trial) without touching the backend.
 * After timeoutMs, or as soon as a periodic ping() answers true, it half-opens: one trial write passes (others
 * are refused meanwhile); a non-retryable result closes it, a retryable one opens it again. Any non-retryable
 * result (a `failure` too: the backend answered) resets the count. Timers are unref'd and stopped on close().
 */
export function withCircuitBreaker(backend: Backend, options: BreakerOptions): CircuitBreakerBackend {
  validate(options);
  const { threshold, timeoutMs, healthCheckIntervalMs, diag } = options;
  const now = options.now ?? Date.now;
  let state: BreakerState = 'closed';
  let consecutive = 0;
  let lastReason = '';
  let openedAt = 0;
  let trialInFlight = false;
  let pinging = false;
  let closed = false;
  let openTimer: ReturnType<typeof setTimeout> | undefined;
  let healthTimer: ReturnType<typeof setInterval> | undefined;

  function stopTimers(): void {
    if (openTimer) clearTimeout(openTimer);
    if (healthTimer) clearInterval(healthTimer);
    openTimer = healthTimer = undefined;
  }

  function transition(next: BreakerState): void {
    if (state === next) return;
    state = next;
    stopTimers();
    if (next === 'open' && !closed) {
      openedAt = now();
      openTimer = setTimeout(() => state === 'open' && transition('half_open'), timeoutMs);
      openTimer.unref?.();
      if (backend.ping && healthCheckIntervalMs > 0) {
        healthTimer = setInterval(healthCheck, healthCheckIntervalMs);
        healthTimer.unref?.();
      }
    }
    if (next !== 'half_open') trialInFlight = false;
    diag?.debug(`${backend.name}: circuit ${next}`);
    try {
      options.onStateChange?.(next);
    } catch (err) {
      diag?.error(`${backend.name}: circuit state listener threw`, err);
    }
  }

  async function healthCheck(): Promise<void> {
    if (pinging || state !== 'open' || !backend.ping) return;
    pinging = true;
    try {
      if ((await backend.ping()) && state === 'open') transition('half_open');
    } catch (err) {
      // A failing probe is what an open circuit expects; keep it visible for debugging only.
      diag?.debug(`${backend.name}: health check failed: ${errorMessage(err)}`);
    } finally {
      pinging = false;
    }
  }

  function current(): BreakerState {
    if (state === 'open' && now() - openedAt >= timeoutMs) transition('half_open');
    return state;
  }

  async function pass(batch: Batch): Promise<WriteResult> {
    try {
      return await backend.write(batch);
    } catch (err) {
      return retryable(`${backend.name}: write threw: ${errorMessage(err)}`);
    }
  }

  function record(result: WriteResult): void {
    if (result.status === 'retryable') {
      lastReason = result.reason;
      consecutive++;
      if (state === 'half_open' || consecutive >= threshold) transition('open');
    } else {
      consecutive = 0;
      transition('closed');
    }
  }

  const wrapped: CircuitBreakerBackend = {
    name: backend.name,
    state: current,
    async write(batch: Batch): Promise<WriteResult> {
      const s = current();
      if (s === 'open') {
        const left = Math.max(0, openedAt + timeoutMs - now());
        return retryable(`circuit open after ${consecutive} failed writes (last: ${lastReason})`, left);
      }
      if (s === 'half_open') {
        if (trialInFlight) return retryable(`circuit half-open, trial write in progress (last: ${lastReason})`);
        trialInFlight = true;
      }
      const result = await pass(batch);
      if (s === 'half_open') trialInFlight = false;
      record(result);
      return result;
    },
    flush: () => backend.flush(),
    async close() {
      closed = true;
      stopTimers();
      await backend.close();
    },
  };
  if (backend.ping) wrapped.ping = backend.ping.bind(backend);
  if (backend.getTrace) wrapped.getTrace = backend.getTrace.bind(backend);
  return wrapped;
}

function validate(o: BreakerOptions): void {
  const bad = (field: string, want: string, got: unknown) =>
    new Error(`breaker.${field}: expected ${want}, got ${JSON.stringify(got)}`);
  if (!Number.isInteger(o.threshold) || o.threshold < 1) throw bad('threshold', 'an integer >= 1', o.threshold);
  if (!Number.isFinite(o.timeoutMs) || o.timeoutMs < 0) throw bad('timeoutMs', 'a number >= 0', o.timeoutMs);
  if (!Number.isFinite(o.healthCheckIntervalMs) || o.healthCheckIntervalMs < 0) {
    throw bad('healthCheckIntervalMs', 'a number >= 0', o.healthCheckIntervalMs);
  }
}
