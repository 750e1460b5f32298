import type { SpanKindName, SpanRecord } from '../../../shared/model.js';
import { SPAN_KINDS } from '../../../shared/model.js';
import { groupTraces, microsToIso, sortOperations, type OperationName, type TraceFilter, type TraceSearch } from '../trace-search.js';
import { UNTRACED_REQUEST, untraced } from './client.js';
import { classify, type Connection } from './connection.js';
import { decodeSpan } from './documents.js';
import { findLogs } from './log-search.js';
import { findMetrics } from './metric-search.js';

/**
 * The Jaeger query API's search (semantics in ../trace-search.ts) as Elasticsearch queries: terms
 * aggregations for services and operations; for traces, a terms aggregation on trace_id ordered by the
 * latest matching span (max @timestamp), then one search for those traces' spans. Attribute maps are
 * `flattened` fields (template.ts), whose leaves are keywords: `attributes.<key>` matches the value's text.
 * Differs from the other backends on one edge: a flattened array attribute matches any of its elements.
 */

/** At most this many services, operations and spans per search (Elasticsearch's default max_result_window). */
const MAX_BUCKETS = 10_000;

const SERVICE_FIELD = 'resource.attributes.service.name';

type Query = Record<string, unknown>;
interface Bucket {
  key: string;
  kinds?: { buckets: Bucket[] };
}

export function elasticsearchSearch(conn: Connection, spansSearch: string, logsSearch: string, metrics: string): TraceSearch {
  const search = async (body: Query): Promise<{ hits: { hits: { _source?: unknown }[] }; aggregations?: Record<string, { buckets: Bucket[] }> }> => {
    const request = { index: spansSearch, ignore_unavailable: true, allow_no_indices: true, track_total_hits: false, ...body };
    try {
      const response = await untraced(() => conn.client.search(request, { requestTimeout: conn.cfg.timeout * 1000, ...UNTRACED_REQUEST }));
      return response as unknown as Awaited<ReturnType<typeof search>>;
    } catch (err) {
      throw new Error(classify(conn, err).message);
    }
  };
  const buckets = (r: Awaited<ReturnType<typeof search>>, name: string): Bucket[] => r.aggregations?.[name]?.buckets ?? [];
  return {
    async services() {
      const r = await search({ size: 0, aggs: { services: { terms: { field: SERVICE_FIELD, size: MAX_BUCKETS } } } });
      return buckets(r, 'services').map((b) => String(b.key)).sort();
    },
    async operations(service: string, kind?: SpanKindName) {
      const filter: Query[] = [{ term: { [SERVICE_FIELD]: service } }];
      if (kind) filter.push({ term: { kind } });
      const r = await search({
        size: 0,
        query: { bool: { filter } },
        aggs: { names: { terms: { field: 'name', size: MAX_BUCKETS }, aggs: { kinds: { terms: { field: 'kind', size: SPAN_KINDS.length } } } } },
      });
      const ops: OperationName[] = buckets(r, 'names').flatMap((n) => (n.kinds?.buckets ?? []).map((k) => ({ name: String(n.key), kind: k.key as SpanKindName })));
      return sortOperations(ops);
    },
    async findTraces(filter: TraceFilter) {
      const r = await search({
        size: 0,
        query: { bool: { filter: filterClauses(filter) } },
        aggs: {
          traces: {
            terms: { field: 'trace_id', size: filter.limit, shard_size: Math.max(filter.limit * 5, 100), order: [{ latest: 'desc' }, { _key: 'asc' }] },
            aggs: { latest: { max: { field: '@timestamp' } } },
          },
        },
      });
      const ids = buckets(r, 'traces').map((b) => String(b.key));
      if (ids.length === 0) return [];
      const s = await search({ size: MAX_BUCKETS, query: { terms: { trace_id: ids } } });
      const spans: SpanRecord[] = [];
      for (const hit of s.hits.hits) {
        const span = decodeSpan(hit._source);
        if (span) spans.push(span);
        else conn.diag.count('elasticsearch.undecodable_documents');
      }
      return groupTraces(ids, spans);
    },
    findLogs: (filter) => findLogs(conn, logsSearch, filter),
    findMetrics: (filter) => findMetrics(conn, metrics, filter),
  };
}

/** The filter's conditions as query clauses. Exported for its unit test. */
export function filterClauses(f: TraceFilter): Query[] {
  // The upper bound takes the whole last microsecond: a span at .123456789 starts at µs .123456, as elsewhere.
  const lte = `${microsToIso(f.startMaxUs).slice(0, -1)}999Z`;
  const clauses: Query[] = [{ term: { [SERVICE_FIELD]: f.service } }, { range: { '@timestamp': { gte: microsToIso(f.startMinUs), lte } } }];
  if (f.operation !== undefined) clauses.push({ term: { name: f.operation } });
  if (f.durationMinMs !== undefined || f.durationMaxMs !== undefined) {
    clauses.push({ range: { duration_ms: { gte: f.durationMinMs, lte: f.durationMaxMs } } });
  }
  for (const [key, value] of Object.entries(f.tags)) clauses.push({ bool: { should: tagAlternatives(key, value), minimum_should_match: 1 } });
  return clauses;
}

function tagAlternatives(key: string, value: string): Query[] {
  const out: Query[] = [{ term: { [`attributes.${key}`]: value } }, { term: { [`resource.attributes.${key}`]: value } }];
  const kind = SPAN_KINDS.find((c) => c !== 'UNSPECIFIED' && c.toLowerCase() === value);
  if (key === 'error' && value === 'true') out.push({ term: { 'status.code': 'ERROR' } });
  if (key === 'span.kind' && kind) out.push({ term: { kind } });
  if (key === 'otel.status_code' && (value === 'OK' || value === 'ERROR')) out.push({ term: { 'status.code': value } });
  if (key === 'otel.status_description' && value !== '') out.push({ term: { 'status.message': value } });
  return out;
}
