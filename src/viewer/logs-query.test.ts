import { describe, expect, it } from 'vitest';
import { logsApiParams, logValues } from './logs-query.js';

describe('logsApiParams', () => {
  const NOW = 1_700_000_000_000_000;

  it('passes the filters that are set, attributes as attr.KEY, and the look-back as start/end', () => {
    const v = logValues(new URLSearchParams({ service: 'api', severity_min: 'WARN', attr: 'user.tier=gold\nregion=eu', q: 'declined', lookback: '15m' }));
    const p = logsApiParams(v, NOW);
    expect(Object.fromEntries(p)).toEqual({
      limit: '50', service: 'api', severity_min: 'WARN', q: 'declined', 'attr.user.tier': 'gold', 'attr.region': 'eu', start: String(NOW - 15 * 60e6), end: String(NOW),
    });
  });

  it('sets no time bound for "any time", and the cursor of the next page', () => {
    const p = logsApiParams(logValues(new URLSearchParams({ trace_id: 'abc', lookback: 'all' })), NOW, 'CURSOR');
    expect(Object.fromEntries(p)).toEqual({ limit: '50', trace_id: 'abc', cursor: 'CURSOR' });
  });

  it('defaults the look-back to the last hour', () => {
    expect(logsApiParams(logValues(new URLSearchParams()), NOW).get('start')).toBe(String(NOW - 3600e6));
  });
});
