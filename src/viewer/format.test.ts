import { describe, expect, it } from 'vitest';
import { formatDuration, isoToMicros, timeRange } from './format.js';

describe('format', () => {
  it('writes durations in the unit that fits', () => {
    expect(formatDuration(800)).toBe('800 µs');
    expect(formatDuration(1_500)).toBe('1.50 ms');
    expect(formatDuration(120_000)).toBe('120 ms');
    expect(formatDuration(2_500_000)).toBe('2.50 s');
  });

  it('reads the logs API timestamps to the microsecond', () => {
    expect(isoToMicros('2025-01-31T12:00:00.123456Z')).toBe(Date.parse('2025-01-31T12:00:00.123Z') * 1000 + 456);
    expect(isoToMicros('2025-01-31T12:00:00.123456789Z') % 1000).toBe(456);
  });

  it('turns a preset into start/end before now, and a custom range (UTC) into its bounds', () => {
    expect(timeRange('15m', '', '', 1e15)).toEqual({ start: 1e15 - 15 * 60e6, end: 1e15 });
    expect(timeRange('custom', '2025-01-31T12:00', '', 0)).toEqual({ start: Date.parse('2025-01-31T12:00Z') * 1000, end: undefined });
  });
});
