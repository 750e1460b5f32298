import { describe, expect, it } from 'vitest';
import { logQuery, SELECTIVE_TEXT_ROWS } from './log-search.js';
import { BODY_TSVECTOR, ddlStatements } from './schema.js';

const f = { attributes: { 'http.route': '/x' }, text: 'card declined', service: 'shop', limit: 11, after: { timeNs: '1735689600000000500', recordId: 'r-1' } };

describe('the PostgreSQL log query', () => {
  it('repeats the GIN index expression exactly, so the index applies', () => {
    const index = ddlStatements({ schema: 'app', logs: 'logs', spans: 'spans', metrics: 'points' }).find((s) => s.includes('USING GIN'));
    expect(index).toContain(`USING GIN (${BODY_TSVECTOR})`);
    expect(logQuery('"app"."logs"', f).sql).toContain(`${BODY_TSVECTOR} @@ plainto_tsquery('simple', `);
  });

  it('continues after the cursor by microsecond, exact nanoseconds, then record id, with the values as parameters', () => {
    const { sql, params } = logQuery('"app"."logs"', f);
    expect(sql).toMatch(/ORDER BY t\."timestamp" DESC, t\.time_unix_nano DESC NULLS LAST, coalesce\(t\.record_id, 'pg-' \|\| t\.id\) COLLATE "C" DESC LIMIT \$\d+$/);
    expect(params).toStrictEqual(['shop', 'http.route', '/x', 'card declined', '2025-01-01T00:00:00.000000Z', '1735689600000000000', '1735689600000000500', 'r-1', 11]);
  });

  it('has a probe that counts at most SELECTIVE_TEXT_ROWS matches, and a matches-first shape behind OFFSET 0', () => {
    const probe = logQuery('"app"."logs"', f, 'probe');
    expect(probe.sql).toMatch(/^SELECT count\(\*\)::int AS n FROM \(SELECT 1 FROM "app"\."logs" AS t WHERE .* LIMIT \$9\) AS m$/);
    expect(probe.params.at(-1)).toBe(SELECTIVE_TEXT_ROWS);
    expect(logQuery('"app"."logs"', f, 'matches-first').sql).toMatch(/FROM \(SELECT \* FROM "app"\."logs" AS t WHERE .* OFFSET 0\) AS t ORDER BY/);
  });

  it('has no WHERE without conditions', () => {
    expect(logQuery('"app"."logs"', { attributes: {}, limit: 5 }).sql).toMatch(/FROM "app"\."logs" AS t ORDER BY/);
  });
});
