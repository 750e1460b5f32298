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
  const circuit = new Circuit(backend, options);
  const wrapped: CircuitBreakerBackend = {
    name: backend.name,
    state: () => circuit.current(),
    write: (batch: Batch) => circuit.write(batch),
    flush: () => backend.flush(),
    close: () => circuit.close(),
  };
  if (backend.ping) wrapped.ping = backend.ping.bind(backend);
  if (backend.getTrace) wrapped.getTrace = backend.getTrace.bind(backend);
  if (backend.search) wrapped.search = backend.search;
  return wrapped;
}

/** The breaker's state machine and its two timers, around one backend. */
class Circuit {
  private state: BreakerState = 'closed';
  private consecutive = 0;
  private lastReason = '';
  private openedAt = 0;
  private trialInFlight = false;
  private pinging = false;
  private closed = false;
  private openTimer: ReturnType<typeof setTimeout> | undefined;
  private healthTimer: ReturnType<typeof setInterval> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly backend: Backend,
    private readonly options: BreakerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  current(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.options.timeoutMs) this.transition('half_open');
    return this.state;
  }

  async write(batch: Batch): Promise<WriteResult> {
    const s = this.current();
    if (s === 'open') {
      const left = Math.max(0, this.openedAt + this.options.timeoutMs - this.now());
      return retryable(`circuit open after ${this.consecutive} failed writes (last: ${this.lastReason})`, left);
    }
    if (s === 'half_open') {
      if (this.trialInFlight) return retryable(`circuit half-open, trial write in progress (last: ${this.lastReason})`);
      this.trialInFlight = true;
    }
    const result = await pass(this.backend, batch);
    if (s === 'half_open') this.trialInFlight = false;
    this.record(result);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopTimers();
    await this.backend.close();
  }

  private record(result: WriteResult): void {
    if (result.status === 'retryable') {
      this.lastReason = result.reason;
      this.consecutive++;
      if (this.state === 'half_open' || this.consecutive >= this.options.threshold) this.transition('open');
    } else {
      this.consecutive = 0;
      this.transition('closed');
    }
  }

  private transition(next: BreakerState): void {
    if (this.state === next) return;
    this.state = next;
    this.stopTimers();
    if (next === 'open' && !this.closed) this.startTimers();
    if (next !== 'half_open') this.trialInFlight = false;
    const diag = this.options.diag;
    diag?.debug(`${this.backend.name}: circuit ${next}`);
    try {
      this.options.onStateChange?.(next);
    } catch (err) {
      diag?.error(`${this.backend.name}: circuit state listener threw`, err);
    }
  }

  private startTimers(): void {
    const { timeoutMs, healthCheckIntervalMs } = this.options;
    this.openedAt = this.now();
    this.openTimer = setTimeout(() => this.state === 'open' && this.transition('half_open'), timeoutMs);
    this.openTimer.unref?.();
    if (this.backend.ping && healthCheckIntervalMs > 0) {
      this.healthTimer = setInterval(() => void this.healthCheck(), healthCheckIntervalMs);
      this.healthTimer.unref?.();
    }
  }

  private stopTimers(): void {
    if (this.openTimer) clearTimeout(this.openTimer);
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.openTimer = this.healthTimer = undefined;
  }

  private async healthCheck(): Promise<void> {
    if (this.pinging || this.state !== 'open' || !this.backend.ping) return;
    this.pinging = true;
    try {
      if ((await this.backend.ping()) && this.state === 'open') this.transition('half_open');
    } catch (err) {
      // A failing probe is what an open circuit expects; keep it visible for debugging only.
      this.options.diag?.debug(`${this.backend.name}: health check failed: ${errorMessage(err)}`);
    } finally {
      this.pinging = false;
    }
  }
}

async function pass(backend: Backend, batch: Batch): Promise<WriteResult> {
  try {
    return await backend.write(batch);
  } catch (err) {
    return retryable(`${backend.name}: write threw: ${errorMessage(err)}`);
  }
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
