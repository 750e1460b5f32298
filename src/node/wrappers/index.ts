/**
 * The resilience layer every backend gets for free: wrappers around the Backend interface (compose, don't
 * inherit). A DeliveryChannel is the wiring of them all for one backend: memory queue -> retry -> circuit
 * breaker -> backend, with the spool (disk) as the fallback and the dead-letter file for refused records.
 */
export { withRetry, backoffDelay } from './retry.js';
export type { RetryOptions, RetryableResult } from './retry.js';
export { withCircuitBreaker } from './breaker.js';
export type { BreakerOptions, BreakerState, CircuitBreakerBackend } from './breaker.js';
export { createSpool } from './spool.js';
export type { Spool, SpoolOptions, SpoolToken } from './spool.js';
export { createDeadLetter } from './dead-letter.js';
export type { DeadLetter, DeadLetterEntry, DeadLetterOptions } from './dead-letter.js';
export { createDeliveryChannel, DELIVERY_DEFAULTS } from './delivery.js';
export type { DeliveryChannel, DeliveryOptions } from './delivery.js';
export { createFanOut } from './fan-out.js';
export type { FanOut } from './fan-out.js';
