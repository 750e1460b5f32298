import { describe, expect, it } from 'vitest';
import { prometheusUnitSuffix } from './prometheus-unit-names.js';

describe('prometheusUnitSuffix (OpenTelemetry Prometheus compatibility spec)', () => {
  it.each([
    ['s', false, 'seconds'],
    ['ms', false, 'milliseconds'],
    ['By', false, 'bytes'],
    ['By/s', false, 'bytes_per_second'],
    ['m/s', false, 'meters_per_second'],
    ['{request}/s', false, 'per_second'],
    ['{request}', false, ''],
    ['1', true, 'ratio'],
    ['1', false, ''],
    ['', false, ''],
    ['widgets', false, 'widgets'],
  ])('translates unit %j (gauge: %s) to the suffix %j', (unit, gauge, suffix) => {
    expect(prometheusUnitSuffix(unit, gauge)).toBe(suffix);
  });
});
