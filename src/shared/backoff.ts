/**
 * The one backoff formula of isotel (the delivery engine, the file writer, the browser's sender): exponential,
 * with jitter, never below the other side's own hint (a Retry-After, the time left before a breaker's trial).
 * Before retry k (0-based): max(hint, cap * (floor + random() * (1 - floor))), cap = min(max, base * 2^k).
 * floor 0 is full jitter (AWS architecture blog, "Exponential Backoff And Jitter"); the browser's sender writes
 * out the same with floor 0.5 ("equal jitter": never zero, never in step across tabs).
 */
export function backoffDelay(retryIndex: number, hintMs: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random, floor = 0): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(retryIndex, 30));
  return Math.max(hintMs, Math.floor(cap * (floor + random() * (1 - floor))));
}
