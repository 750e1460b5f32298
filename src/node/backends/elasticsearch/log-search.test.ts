import { describe, expect, it } from 'vitest';
import { logSearchBody } from './log-search.js';

describe('the Elasticsearch log search', () => {
  it('filters, matches every word of the body text, sorts by exact time then record id', () => {
    const body = logSearchBody({ service: 'shop', severityMin: 13, endUs: 1735689600123456, attributes: { k: 'v' }, text: 'card declined', limit: 11 });
    expect(body).toStrictEqual({
      size: 11,
      query: {
        bool: {
          filter: [
            { term: { 'resource.attributes.service.name': 'shop' } },
            { range: { severity_number: { gte: 13, lte: undefined } } },
            { range: { '@timestamp': { gte: undefined, lte: '2025-01-01T00:00:00.123456999Z' } } },
            { bool: { should: [{ term: { 'attributes.k': 'v' } }, { term: { 'resource.attributes.k': 'v' } }], minimum_should_match: 1 } },
            { match: { 'body.text': { query: 'card declined', operator: 'and' } } },
          ],
        },
      },
      sort: [{ '@timestamp': { order: 'desc' } }, { record_id: { order: 'desc' } }],
    });
  });

  it('continues strictly after a cursor with range conditions at nanosecond precision', () => {
    const [after] = (logSearchBody({ attributes: {}, limit: 2, after: { timeNs: '1735689600000000500', recordId: 'r-1' } }).query as { bool: { filter: unknown[] } }).bool.filter;
    expect(after).toStrictEqual({
      bool: {
        should: [
          { range: { '@timestamp': { lt: '2025-01-01T00:00:00.000000500Z' } } },
          { bool: { filter: [{ range: { '@timestamp': { gte: '2025-01-01T00:00:00.000000500Z', lte: '2025-01-01T00:00:00.000000500Z' } } }, { range: { record_id: { lt: 'r-1' } } }] } },
        ],
        minimum_should_match: 1,
      },
    });
  });
});
