import { describe, it, expect } from 'vitest';
import { msToIso, nanosToIso, isoToNanos, isoToNanoText, isoToMs } from './time.js';

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

  it('isoToNanoText is isoToNanos as text, 0 for invalid or negative times', () => {
    const times = ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000000001Z', '1970-01-01T00:00:00.5Z', '1970-01-01T00:00:01Z',
      '2025-07-06T10:34:56.123456Z', '2025-07-06T12:34:56.5+02:00', '2025-07-06T10:34:56.123456789-03:30', '9999-12-31T23:59:59.999999999Z'];
    for (const t of times) expect(isoToNanoText(t)).toBe(String(isoToNanos(t)));
    for (const bad of ['garbage', '1969-12-31T23:59:59.5Z', '2025-13-45T10:00:00Z', 42, undefined]) expect(isoToNanoText(bad)).toBe('0');
  });
});
