import { describe, expect, it } from 'vitest';
import { MAX_BUCKETS, parseMetricQuery, parseStep } from './metrics-query-params.js';

const NOW_US = Date.UTC(2025, 0, 1, 12) * 1000;
const parse = (query: string) => parseMetricQuery(new URLSearchParams(query), NOW_US);
const error = (query: string) => {
  const r = parse(query);
  return r.ok ? undefined : r.error;
};

describe('GET /v1/metrics/query parameters', () => {
  it('reads every parameter', () => {
    expect(parse('name=http.server.request.duration&attr=http.route=/cart&attr=code=a=b&start=2025-01-01T11:00:00Z&end=1735732800000000&step=5m&limit=7')).toStrictEqual({
      ok: true,
      value: {
        name: 'http.server.request.duration',
        attributes: { 'http.route': '/cart', code: 'a=b' },
        startUs: Date.UTC(2025, 0, 1, 11) * 1000,
        endUs: 1735732800000000,
        stepMs: 300_000,
        limit: 7,
      },
    });
  });

  it('defaults: the last hour, a 60 s step, 100 series', () => {
    expect(parse('name=x')).toStrictEqual({ ok: true, value: { name: 'x', attributes: {}, startUs: NOW_US - 3_600_000_000, endUs: NOW_US, stepMs: 60_000, limit: 100 } });
  });

  it('reads steps in every unit and refuses other forms', () => {
    expect([parseStep('500ms'), parseStep('15s'), parseStep('15'), parseStep('5m'), parseStep('2h'), parseStep('1d')]).toStrictEqual([500, 15_000, 15_000, 300_000, 7_200_000, 86_400_000]);
    expect([parseStep('0s'), parseStep('1.5s'), parseStep('-1s'), parseStep('1w'), parseStep('')]).toStrictEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('names the parameter in every refusal', () => {
    expect(error('')).toMatch(/parameter 'name' is required/);
    expect(error('name=x&names=y')).toMatch(/parameter 'names' is unknown/);
    expect(error('name=x&name=y')).toMatch(/parameter 'name' is given more than once/);
    expect(error('name=x&attr=route')).toMatch(/parameter 'attr': "route" is not KEY=VALUE/);
    expect(error('name=x&attr==v')).toMatch(/parameter 'attr'/);
    expect(error('name=x&attr=a=1&attr=a=2')).toMatch(/parameter 'attr': the key "a" is given more than once/);
    expect(error('name=x&start=yesterday')).toMatch(/parameter 'start'/);
    expect(error('name=x&end=soon')).toMatch(/parameter 'end'/);
    expect(error('name=x&start=2000&end=1000')).toMatch(/parameter 'end' is before 'start'/);
    expect(error('name=x&step=fast')).toMatch(/parameter 'step': "fast" is not a duration/);
    expect(error('name=x&limit=0')).toMatch(/parameter 'limit'/);
    expect(error('name=x&limit=1001')).toMatch(/parameter 'limit'/);
  });

  it('refuses a step that makes more than MAX_BUCKETS buckets', () => {
    expect(error('name=x&step=1s&start=0&end=86400000000')).toBe(`parameter 'step': 1s makes 86401 buckets from start to end, more than ${MAX_BUCKETS}: take a larger step or a shorter range`);
    expect(parse('name=x&step=10s&start=0&end=86400000000').ok).toBe(true); // 8,641 buckets
  });
});
