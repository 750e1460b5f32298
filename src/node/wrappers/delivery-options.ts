import type { Diag } from '../../shared/diag.js';
import type { BreakerOptions } from './breaker.js';
import type { RetryOptions } from './retry.js';

export interface DeliveryOptions {
  /** This backend's own directory: `spool/` and `dead-letter.jsonl` live here. */
  dataDir: string;
  diag: Diag;
  /** Records per backend write (default 1000). */
  batchSize?: number;
  /** Records held in memory (queued or being written) before overflow applies (default 100 000). */
  maxInMemoryRecords?: number;
  /**
   * What overflow does (`queue.overflow`): 'spill_to_disk' (default) writes new records to the spool, behind
   * the memory queue; 'drop_oldest' drops the oldest records waiting in memory, counted in health().dropped.
   */
  overflow?: 'spill_to_disk' | 'drop_oldest';
  /** Concurrent backend writes from memory (default 2). The spool is replayed one write at a time, in order. */
  maxInFlight?: number;
  /** Bytes the spool may use on disk (default unbounded); beyond it records are dropped and counted. */
  maxSpoolBytes?: number;
  retry?: Pick<RetryOptions, 'maxRetries' | 'baseDelayMs' | 'maxDelayMs' | 'random' | 'sleep'>;
  breaker?: Pick<BreakerOptions, 'threshold' | 'timeoutMs' | 'healthCheckIntervalMs'>;
  now?: () => number;
}

/**
 * Defaults. Retry and breaker follow the original framework's settings (max_retries 3, retry_delay 2 s,
 * circuit_breaker_threshold 5, circuit_breaker_timeout 60 s, health_check_interval 30 s).
 */
export const DELIVERY_DEFAULTS = {
  batchSize: 1000,
  maxInMemoryRecords: 100_000,
  maxInFlight: 2,
  retry: { maxRetries: 3, baseDelayMs: 2000, maxDelayMs: 30_000 },
  breaker: { threshold: 5, timeoutMs: 60_000, healthCheckIntervalMs: 30_000 },
} as const;

export interface ResolvedDeliveryOptions {
  batchSize: number;
  maxInMemoryRecords: number;
  overflow: 'spill_to_disk' | 'drop_oldest';
  maxInFlight: number;
  retry: Required<Pick<RetryOptions, 'maxRetries' | 'baseDelayMs' | 'maxDelayMs'>> & Pick<RetryOptions, 'random' | 'sleep'>;
  breaker: Pick<BreakerOptions, 'threshold' | 'timeoutMs' | 'healthCheckIntervalMs'>;
  now: () => number;
}

/** Fills in defaults; an invalid value fails fast with the field's name (retry and breaker fields are checked by their wrappers). */
export function resolveDeliveryOptions(o: DeliveryOptions): ResolvedDeliveryOptions {
  return {
    batchSize: positiveInt('batchSize', o.batchSize ?? DELIVERY_DEFAULTS.batchSize),
    maxInMemoryRecords: positiveInt('maxInMemoryRecords', o.maxInMemoryRecords ?? DELIVERY_DEFAULTS.maxInMemoryRecords),
    overflow: o.overflow ?? 'spill_to_disk',
    maxInFlight: positiveInt('maxInFlight', o.maxInFlight ?? DELIVERY_DEFAULTS.maxInFlight),
    retry: { ...DELIVERY_DEFAULTS.retry, ...o.retry },
    breaker: { ...DELIVERY_DEFAULTS.breaker, ...o.breaker },
    now: o.now ?? Date.now,
  };
}

function positiveInt(field: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`delivery.${field}: expected an integer >= 1, got ${JSON.stringify(v)}`);
  return v;
}
