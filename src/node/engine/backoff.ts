/**
 * The engine's one backoff formula: exponential with full jitter (AWS architecture blog, "Exponential Backoff
 * And Jitter"), never below the sink's own hint (a Retry-After, the time left before a breaker's trial).
 * Before retry k (0-based): max(hint, random() * min(maxDelayMs, baseDelayMs * 2^k)).
 */
export function backoffDelay(retryIndex: number, hintMs: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** retryIndex);
  return Math.max(hintMs, Math.floor(random() * cap));
}
