/** Retry timing: exponential backoff with jitter, and the server's Retry-After when it sends one. */

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 5 * 60_000;

/** attempt 0 → 0.5-1 s, 1 → 1-2 s, ... capped at 2.5-5 min ("equal jitter": never zero, never in step). */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  // shared/backoff.ts's formula with floor 0.5, written out: calling it costs 39 B gzip of the full build (at its budget).
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 20));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export { parseRetryAfter, RETRY_AFTER_MAX_MS } from '../../shared/retry-after.js';
