import type { Batch } from '../../shared/model.js';
import { errorMessage, retryable, type WriteResult } from '../../shared/result.js';
import type { Backend } from '../backends/types.js';
import { backoffDelay } from '../../shared/backoff.js';

export { backoffDelay };

export type RetryableResult = Extract<WriteResult, { status: 'retryable' }>;

export interface RetryOptions {
  /** Retries after the first attempt (0 = one attempt only). */
  maxRetries: number;
  /** The backoff cap of the first retry; it doubles on each retry up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** [0, 1) source for the jitter (default Math.random). */
  random?: () => number;
  /** Waits `ms` or until `signal` aborts, whichever is first; never rejects (default: an unref'd setTimeout). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Aborting it ends pending sleeps and stops further retries, without closing the backend. */
  signal?: AbortSignal;
  /** Called before each retry's sleep (the delivery channel uses it for `last_error` and the `retrying` state). */
  onRetry?: (info: { attempt: number; delayMs: number; result: RetryableResult }) => void;
}

/**
 * Retries a `retryable` result with exponential backoff and full jitter: before retry k (0-based) it sleeps
 * `max(hint, random() * min(maxDelayMs, baseDelayMs * 2^k))`, where hint is the result's `delayMs` (e.g. a
 * Retry-After). A hint longer than maxDelayMs is not slept on: the result is returned at once, so the caller
 * (the delivery channel) parks the batch on disk instead of holding it in memory. When retries are exhausted
 * the last retryable result is returned. `success` and `failure` are returned as they come.
 * A backend that throws despite the contract is treated as retryable. close() aborts pending sleeps, then
 * closes the backend.
 */
export function withRetry(backend: Backend, options: RetryOptions): Backend {
  validate(options);
  const { maxRetries, baseDelayMs, maxDelayMs, onRetry } = options;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const controller = new AbortController();
  const abort = () => controller.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) abort();

  async function attempt(batch: Batch): Promise<WriteResult> {
    try {
      return await backend.write(batch);
    } catch (err) {
      return retryable(`${backend.name}: write threw: ${errorMessage(err)}`);
    }
  }

  const wrapped: Backend = {
    name: backend.name,
    async write(batch: Batch): Promise<WriteResult> {
      let result = await attempt(batch);
      for (let k = 0; k < maxRetries && result.status === 'retryable'; k++) {
        if (controller.signal.aborted || result.delayMs > maxDelayMs) break;
        const delayMs = backoffDelay(k, result.delayMs, baseDelayMs, maxDelayMs, random);
        onRetry?.({ attempt: k + 1, delayMs, result });
        await sleep(delayMs, controller.signal);
        if (controller.signal.aborted) break;
        result = await attempt(batch);
      }
      return result;
    },
    flush: () => backend.flush(),
    async close() {
      abort();
      options.signal?.removeEventListener('abort', abort);
      await backend.close();
    },
  };
  if (backend.ping) wrapped.ping = backend.ping.bind(backend);
  if (backend.getTrace) wrapped.getTrace = backend.getTrace.bind(backend);
  if (backend.search) wrapped.search = backend.search;
  return wrapped;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    // A retry must not keep the process alive: on exit the channel's close() parks the batch on disk.
    timer.unref?.();
    signal.addEventListener('abort', done, { once: true });
  });
}

function validate(o: RetryOptions): void {
  const bad = (field: string, want: string, got: unknown) =>
    new Error(`retry.${field}: expected ${want}, got ${JSON.stringify(got)}`);
  if (!Number.isInteger(o.maxRetries) || o.maxRetries < 0) throw bad('maxRetries', 'an integer >= 0', o.maxRetries);
  if (!(o.baseDelayMs >= 0) || !Number.isFinite(o.baseDelayMs)) throw bad('baseDelayMs', 'a number >= 0', o.baseDelayMs);
  if (!(o.maxDelayMs >= o.baseDelayMs) || !Number.isFinite(o.maxDelayMs)) {
    throw bad('maxDelayMs', `a number >= baseDelayMs (${o.baseDelayMs})`, o.maxDelayMs);
  }
}
