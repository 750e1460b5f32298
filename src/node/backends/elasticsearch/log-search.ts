import type { LogRecord } from '../../../shared/model.js';
import { nanosToIso } from '../../../shared/time.js';
import type { LogFilter, LogPosition } from '../log-search.js';
import { microsToIso } from '../trace-search.js';
import { UNTRACED_REQUEST, untraced } from './client.js';
import { classify, type Connection } from './connection.js';
import { decodeLog } from './documents.js';

/**
 * The logs query API's search (semantics in ../log-search.ts) as one Elasticsearch search: filters on the
 * mapped fields (template.ts), `match` with operator `and` on `body.text` (a `match_only_text` field, standard
 * analyzer: lowercased Unicode words) for the text, sorted by `@timestamp` (date_nanos: exact to the
 * nanosecond) then `record_id`. The cursor is a range condition rather than `search_after`: the sort values of
 * a date_nanos field are nanosecond longs, which JSON numbers cannot hold exactly.
 * Differs from the other backends on one edge: a flattened array attribute matches any of its elements.
 */

type Query = Record<string, unknown>;

export async function findLogs(conn: Connection, logsSearch: string, f: LogFilter): Promise<LogRecord[]> {
  const request = { index: logsSearch, ignore_unavailable: true, allow_no_indices: true, track_total_hits: false, ...logSearchBody(f) };
  try {
    const response = await untraced(() => conn.client.search(request, { requestTimeout: conn.cfg.timeout * 1000, ...UNTRACED_REQUEST }));
    const out: LogRecord[] = [];
    for (const hit of response.hits.hits) {
      const record = decodeLog(hit._source);
      if (record) out.push(record);
      else conn.diag.count('elasticsearch.undecodable_documents');
    }
    return out;
  } catch (err) {
    throw new Error(classify(conn, err).message);
  }
}

/** The search body: size, query and sort. Exported for its unit test. */
export function logSearchBody(f: LogFilter): { size: number; query: Query; sort: Query[] } {
  const filter: Query[] = [];
  if (f.service !== undefined) filter.push({ term: { 'resource.attributes.service.name': f.service } });
  if (f.severityMin !== undefined || f.severityMax !== undefined) filter.push({ range: { severity_number: { gte: f.severityMin, lte: f.severityMax } } });
  if (f.startUs !== undefined || f.endUs !== undefined) {
    // The upper bound takes the whole last microsecond: a record at .123456789 is at µs .123456, as elsewhere.
    const lte = f.endUs === undefined ? undefined : `${microsToIso(f.endUs).slice(0, -1)}999Z`;
    filter.push({ range: { '@timestamp': { gte: f.startUs === undefined ? undefined : microsToIso(f.startUs), lte } } });
  }
  if (f.traceId !== undefined) filter.push({ term: { trace_id: f.traceId } });
  for (const [key, value] of Object.entries(f.attributes)) {
    filter.push({ bool: { should: [{ term: { [`attributes.${key}`]: value } }, { term: { [`resource.attributes.${key}`]: value } }], minimum_should_match: 1 } });
  }
  if (f.text !== undefined) filter.push({ match: { 'body.text': { query: f.text, operator: 'and' } } });
  if (f.after !== undefined) filter.push(afterClause(f.after));
  return {
    size: f.limit,
    query: { bool: { filter } },
    sort: [{ '@timestamp': { order: 'desc' } }, { record_id: { order: 'desc' } }],
  };
}

/** Strictly after the position in the newest-first order. */
function afterClause(after: LogPosition): Query {
  const at = nanosToIso(BigInt(after.timeNs));
  return {
    bool: {
      should: [
        { range: { '@timestamp': { lt: at } } },
        { bool: { filter: [{ range: { '@timestamp': { gte: at, lte: at } } }, { range: { record_id: { lt: after.recordId } } }] } },
      ],
      minimum_should_match: 1,
    },
  };
}
