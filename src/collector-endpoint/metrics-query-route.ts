import type { ServerResponse } from 'node:http';
import { bucketSeries, MAX_SCAN_POINTS } from '../node/engine/index.js';
import type { IngestRuntime } from './runtime.js';
import type { Responder } from './respond.js';
import { parseMetricQuery } from './metrics-query-params.js';

export const METRICS_QUERY_ROUTE = '/v1/metrics/query';

/**
 * GET /v1/metrics/query (parameters in metrics-query-params.ts): `{ data: [series...], step, truncated }`, the
 * stored points of one metric grouped into series and bucketed by the step (semantics in
 * src/node/backends/metric-search.ts), from the query backend. `step` is the bucket width in milliseconds;
 * `truncated` is true when more series matched than `limit`. A bad parameter is 400 naming it, and so is a query
 * matching more than MAX_SCAN_POINTS points (narrow it); no query backend 501, a failing backend 503.
 */
export async function handleMetricsQuery(runtime: IngestRuntime, r: Responder, res: ServerResponse, url: URL, nowMs = Date.now()): Promise<void> {
  const search = runtime.query?.search;
  if (!search) return r.fail(res, METRICS_QUERY_ROUTE, 501, 'no query backend with search is configured (ingest.query_backend)');
  const parsed = parseMetricQuery(url.searchParams, nowMs * 1000);
  if (!parsed.ok) return r.fail(res, METRICS_QUERY_ROUTE, 400, parsed.error);
  const f = parsed.value;
  try {
    const found = await search.findMetrics(f);
    if (found.more) {
      return r.fail(res, METRICS_QUERY_ROUTE, 400, `the query matches more than ${MAX_SCAN_POINTS} points: narrow it (a shorter range with 'start'/'end', or 'attr')`);
    }
    const answer = bucketSeries(found.points, f);
    r.send(res, METRICS_QUERY_ROUTE, 200, 'application/json', JSON.stringify({ data: answer.data, step: f.stepMs, truncated: answer.truncated }));
  } catch (err) {
    runtime.diag.error('metrics query failed', err);
    r.fail(res, METRICS_QUERY_ROUTE, 503, `the query backend did not answer: ${err instanceof Error ? err.message : String(err)}`);
  }
}
