import type { LogRecord, SpanRecord } from '../../../shared/model.js';
import { summarizeTraces, type TraceResult, type TraceSummary } from '../types.js';
import { UNTRACED_REQUEST, untraced } from './client.js';
import { classify, type Connection } from './connection.js';
import { decodeLog, decodeSpan } from './documents.js';
import type { Indices } from './indices.js';

/** getTrace reads at most this many spans and as many logs (Elasticsearch's default max_result_window). */
const TRACE_LIMIT = 10_000;

/** The most recent traces, newest first. Throws an Error whose message names the host. */
export async function listTraces(conn: Connection, spansSearch: string, limit: number): Promise<TraceSummary[]> {
  try {
    // The latest spans by start time, grouped: enough for a "recent traces" list without an aggregation
    // per trace (span counts of traces cut by the window are partial).
    const request = {
      index: spansSearch,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: Math.min(TRACE_LIMIT, limit * 50),
      sort: [{ '@timestamp': { order: 'desc' as const } }],
      track_total_hits: false,
    };
    const response = await untraced(() => conn.client.search(request, { requestTimeout: conn.cfg.timeout * 1000, ...UNTRACED_REQUEST }));
    const spans: SpanRecord[] = [];
    for (const hit of response.hits.hits) {
      const span = decodeSpan(hit._source);
      if (span) spans.push(span);
    }
    return summarizeTraces(spans, limit);
  } catch (err) {
    throw new Error(classify(conn, err).message);
  }
}

/** Every log and span of a trace, in time order. Throws an Error whose message names the host. */
export async function getTrace(conn: Connection, indices: Indices, traceId: string): Promise<TraceResult> {
  try {
    const [l, s] = await Promise.all([
      search<LogRecord>(conn, indices.logsSearch, 'record_id', traceId, decodeLog),
      search<SpanRecord>(conn, indices.spansSearch, 'span_id', traceId, decodeSpan),
    ]);
    return { logs: l, spans: s };
  } catch (err) {
    throw new Error(classify(conn, err).message);
  }
}

async function search<T>(conn: Connection, index: string, sortTie: string, traceId: string, decode: (s: unknown) => T | undefined): Promise<T[]> {
  const request = {
    index,
    ignore_unavailable: true,
    allow_no_indices: true,
    size: TRACE_LIMIT,
    query: { term: { trace_id: traceId } },
    sort: [{ '@timestamp': { order: 'asc' as const } }, { [sortTie]: { order: 'asc' as const } }],
    track_total_hits: false,
  };
  const response = await untraced(() => conn.client.search(request, { requestTimeout: conn.cfg.timeout * 1000, ...UNTRACED_REQUEST }));
  const out: T[] = [];
  for (const hit of response.hits.hits) {
    const record = decode(hit._source);
    if (record !== undefined) out.push(record);
    else conn.diag.count('elasticsearch.undecodable_documents');
  }
  return out;
}
