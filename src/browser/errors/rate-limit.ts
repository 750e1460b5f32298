/**
 * Identical errors (same type, message and first stack frame) are recorded at most `max` times per
 * window each; the rest are counted and reported on the next one that gets through, as
 * `isotel.suppressed_count`. A page in an error loop cannot flood the queue.
 */
export interface RateLimiter {
  /** undefined: suppress this one; otherwise how many were suppressed since the last one let through. */
  admit(key: string): number | undefined;
}

interface Slot {
  windowStart: number;
  count: number;
  suppressed: number;
}

export function createRateLimiter(now: () => number, max = 5, windowMs = 60_000, maxKeys = 256): RateLimiter {
  const slots = new Map<string, Slot>();
  return {
    admit(key) {
      const t = now();
      let s = slots.get(key);
      if (!s) {
        // Bounded: the oldest key goes (Map keeps insertion order).
        if (slots.size >= maxKeys) slots.delete(slots.keys().next().value as string);
        s = { windowStart: t, count: 0, suppressed: 0 };
        slots.set(key, s);
      }
      if (t - s.windowStart >= windowMs) {
        s.windowStart = t;
        s.count = 0;
      }
      if (s.count >= max) {
        s.suppressed++;
        return undefined;
      }
      s.count++;
      const n = s.suppressed;
      s.suppressed = 0;
      return n;
    },
  };
}
