import { describe, it, expect } from 'vitest';
import { msToIso, nanosToIso, isoToNanos, isoToMs } from './time.js';

describe('time', () => {
  it('formats milliseconds with microseconds', () => {
    expect(msToIso(1751798096123.456)).toBe('2025-07-06T10:34:56.123456Z');
    expect(msToIso(0)).toBe('1970-01-01T00:00:00.000000Z');
  });

  it('keeps nanoseconds only when they are not whole microseconds', () => {
    expect(nanosToIso(1751798096123456000n)).toBe('2025-07-06T10:34:56.123456Z');
    expect(nanosToIso(1751798096123456789n)).toBe('2025-07-06T10:34:56.123456789Z');
  });

  it('parses back to the same nanoseconds', () => {
    for (const n of [0n, 1751798096123456000n, 1751798096123456789n, 1n]) {
      expect(isoToNanos(nanosToIso(n))).toBe(n);
    }
    expect(isoToNanos('2025-07-06T12:34:56.5+02:00')).toBe(1751798096500000000n);
    expect(isoToNanos('garbage')).toBeUndefined();
    expect(isoToMs('2025-07-06T10:34:56.123456Z')).toBeCloseTo(1751798096123.456, 3);
  });
});
