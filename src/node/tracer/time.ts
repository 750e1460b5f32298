import type { HrTime, TimeInput } from '@opentelemetry/api';

/**
 * Span times as epoch milliseconds (a float: sub-microsecond resolution for today's dates), read from the
 * monotonic clock anchored at the process's time origin, as sdk-trace does, so durations never go backwards.
 */
const ORIGIN = performance.timeOrigin;

export function nowMs(): number {
  return ORIGIN + performance.now();
}

function isHrTime(t: unknown): t is HrTime {
  return Array.isArray(t) && t.length === 2 && typeof t[0] === 'number' && typeof t[1] === 'number';
}

/**
 * A TimeInput of the API to epoch ms: a Date, an HrTime [seconds, nanos], epoch ms, or a performance.now()
 * timestamp (a number not above performance.now(): how the API tells the two apart). Anything else is now.
 */
export function timeInputMs(t: TimeInput | undefined): number {
  if (typeof t === 'number') return t <= performance.now() ? ORIGIN + t : t;
  if (t instanceof Date) {
    const ms = t.getTime();
    return Number.isFinite(ms) ? ms : nowMs();
  }
  if (isHrTime(t)) return t[0] * 1000 + t[1] / 1e6;
  return nowMs();
}

/** Whether a value is a TimeInput (addEvent's second argument may be one or the attributes). */
export function isTimeInput(t: unknown): t is TimeInput {
  return typeof t === 'number' || t instanceof Date || isHrTime(t);
}
