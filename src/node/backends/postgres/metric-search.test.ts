import { describe, expect, it } from 'vitest';
import { metricQuery, typedValues } from './metric-search.js';

const f = { name: 'http.requests', attributes: { 'http.route': '/cart', code: '200', ok: 'true' }, startUs: 1735732800000000, endUs: 1735736400000000, stepMs: 60_000, limit: 100 };

describe('metrics query: the backends\' requests', () => {
  it('PostgreSQL: name and time range on the (name, time) index, attributes as @> for each scalar type the text reads as', () => {
    const { sql, params } = metricQuery('"m"', f, 50_001);
    expect(sql).toContain('WHERE t.name = $1 AND t."time" >= $2::timestamptz AND t."time" <= $3::timestamptz AND t.attributes @> $4::jsonb AND (t.attributes @> $5::jsonb OR t.attributes @> $6::jsonb) AND (t.attributes @> $7::jsonb OR t.attributes @> $8::jsonb) ORDER BY');
    expect(params).toStrictEqual(['http.requests', '2025-01-01T12:00:00.000000Z', '2025-01-01T13:00:00.000000Z', '{"http.route":"/cart"}', '{"code":"200"}', '{"code":200}', '{"ok":"true"}', '{"ok":true}', 50_001]);
    expect([typedValues('1.5'), typedValues('01'), typedValues('1e3'), typedValues('')]).toStrictEqual([['1.5', 1.5], ['01'], ['1e3'], ['']]);
  });
});
