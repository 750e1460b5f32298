import type { ServerResponse } from 'node:http';
import { positionOf } from '../node/engine/index.js';
import type { IngestRuntime } from './runtime.js';
import type { Responder } from './respond.js';
import { encodeCursor } from './log-cursor.js';
import { parseLogQuery } from './logs-params.js';

export const LOGS_ROUTE = '/api/logs';

/**
 * GET /api/logs (parameters in logs-params.ts): `{ data: [LogRecord, ...], next_cursor }`, the stored records
 * newest first in the shared model's shape, from the query backend. `next_cursor` is null on the last page:
 * the backend is asked for one record more than the page, so a client never fetches an empty page to learn
 * it is done. A bad parameter is 400 naming it, no query backend that searches 501, a failing backend 503.
 */
export async function handleLogs(runtime: IngestRuntime, r: Responder, res: ServerResponse, url: URL): Promise<void> {
  const search = runtime.query?.search;
  if (!search) return r.fail(res, LOGS_ROUTE, 501, 'no query backend with log search is configured (ingest.query_backend)');
  const parsed = parseLogQuery(url.searchParams);
  if (!parsed.ok) return r.fail(res, LOGS_ROUTE, 400, parsed.error);
  const pageSize = parsed.value.limit;
  try {
    const found = await search.findLogs({ ...parsed.value, limit: pageSize + 1 });
    const data = found.slice(0, pageSize);
    const next = found.length > pageSize ? encodeCursor(positionOf(data[data.length - 1])) : null;
    r.send(res, LOGS_ROUTE, 200, 'application/json', JSON.stringify({ data, next_cursor: next }));
  } catch (err) {
    runtime.diag.error('log query failed', err);
    r.fail(res, LOGS_ROUTE, 503, `the query backend did not answer: ${err instanceof Error ? err.message : String(err)}`);
  }
}
