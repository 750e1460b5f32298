/**
 * A token bucket per client address, counted in records (not requests: one request may carry 1 or 5,000).
 * Buckets of idle clients are forgotten so the table stays bounded under address spraying.
 */
export interface RateLimit {
  records_per_second: number;
  burst: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the request would fit, for Retry-After. */
  retryAfterSec: number;
}

export function createRateLimiter(limit: RateLimit, now: () => number = () => Date.now(), maxClients = 100_000) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const rate = limit.records_per_second;
  const burst = Math.max(limit.burst, 1);
  return {
    take(client: string, records: number): RateDecision {
      if (rate <= 0) return { allowed: true, retryAfterSec: 0 };
      const t = now();
      let b = buckets.get(client);
      if (!b) {
        if (buckets.size >= maxClients) {
          // Forget the oldest entries (Map keeps insertion order): a full bucket is what a new client gets anyway.
          for (const key of buckets.keys()) {
            buckets.delete(key);
            if (buckets.size < maxClients * 0.9) break;
          }
        }
        b = { tokens: burst, at: t };
        buckets.set(client, b);
      } else {
        b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * rate);
        b.at = t;
      }
      const cost = Math.min(records, burst); // a batch larger than the burst is allowed once the bucket is full
      if (b.tokens >= cost) {
        b.tokens -= cost;
        return { allowed: true, retryAfterSec: 0 };
      }
      return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((cost - b.tokens) / rate)) };
    },
    size: () => buckets.size,
  };
}
