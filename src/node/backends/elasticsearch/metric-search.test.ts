import { describe, expect, it } from 'vitest';
import { decodeMetric, metricSearchBody } from './metric-search.js';

const f = { name: 'http.requests', attributes: { 'http.route': '/cart', code: '200', ok: 'true' }, startUs: 1735732800000000, endUs: 1735736400000000, stepMs: 60_000, limit: 100 };

describe('metrics query: the Elasticsearch request', () => {
  it('Elasticsearch: a bool filter and a sorted search_after scan; documents decoded from isotel\'s own fields', () => {
    expect(metricSearchBody(f, 100, ['2025-01-01T12:00:00.5Z', 'p1'])).toStrictEqual({
      size: 100,
      query: { bool: { filter: [
        { term: { name: 'http.requests' } },
        { range: { '@timestamp': { gte: '2025-01-01T12:00:00.000000Z', lte: '2025-01-01T13:00:00.000000999Z' } } },
        { term: { 'attributes.http.route': '/cart' } }, { term: { 'attributes.code': '200' } }, { term: { 'attributes.ok': 'true' } },
      ] } },
      sort: [{ '@timestamp': { order: 'asc', format: 'strict_date_optional_time_nanos' } }, { point_id: { order: 'asc' } }],
      search_after: ['2025-01-01T12:00:00.5Z', 'p1'],
    });
    expect(decodeMetric({ point_id: 'p', name: 'm', type: 'sum', temporality: 'delta', '@timestamp': 't', attributes: { a: 1 }, resource: { attributes: { 'service.name': 's', host: 'h' } }, point: { value: 3, count: null } }))
      .toStrictEqual({ point_id: 'p', name: 'm', type: 'sum', temporality: 'delta', time: 't', attributes: { a: 1 }, resource: { 'service.name': 's' }, scope: { name: '' }, value: 3 });
    expect(decodeMetric({ name: 'm' })).toBeUndefined();
  });
});
