import type { Batch } from '../../../shared/model.js';
import { SUCCESS, failure, retryable, type WriteResult } from '../../../shared/result.js';
import { recordCount, recordIds, splitBatch } from '../../engine/batch-utils.js';
import { BULK_FILTER_PATH, buildBulkBody, readBulkResponse, type BulkBody } from './bulk.js';
import { UNTRACED_REQUEST, untraced } from './client.js';
import { classify, type Connection } from './connection.js';
import type { IndexPattern } from './index-name.js';

/** What sending a batch needs besides the batch. */
export interface BulkSink {
  conn: Connection;
  logs: IndexPattern;
  spans: IndexPattern;
  /** The metrics data stream. */
  metrics: string;
  /** Installs the index templates, once; rejects (and tries again next time) while they cannot be installed. */
  ensureTemplates: () => Promise<void>;
  /** The delay of every retryable result (config.retry_delay). */
  delayMs: number;
}

/** One `_bulk` request for the batch (two halves on a 413). Resolves with the result; rejects only on a bug. */
export async function sendBatch(sink: BulkSink, batch: Batch): Promise<WriteResult> {
  const body = buildBulkBody(batch, sink.logs, sink.spans, sink.metrics);
  if (body.count === 0) return body.rejected.length > 0 ? failure(body.rejected) : SUCCESS;
  try {
    await sink.ensureTemplates();
  } catch (err) {
    // Records wait rather than fail while the templates cannot be installed (whatever the reason),
    // since writing without them would map the day's index dynamically for good.
    return retryable(`${classify(sink.conn, err).message} (installing the index templates)`, sink.delayMs);
  }
  try {
    const outcome = readBulkResponse(await postBulk(sink.conn, body), body.count);
    if (outcome.retryReason) return retryable(outcome.retryReason, sink.delayMs);
    const rejected = body.rejected.concat(outcome.rejected);
    if (rejected.length > 0) {
      sink.conn.diag.count('elasticsearch.rejected', rejected.length);
      return failure(rejected);
    }
    return SUCCESS;
  } catch (err) {
    const c = classify(sink.conn, err);
    if (c.status === 413) return sendHalves(sink, batch, c.message);
    if (c.kind === 'refused') {
      // The whole request was refused for good (e.g. a 400 the server cannot parse): every record fails.
      return failure(batchIds(batch).map((id) => ({ id, reason: c.message })));
    }
    // Unreachable, 5xx, 429, and also 401/403 (credentials revoked at runtime): the records wait, they are not lost.
    return retryable(c.message, sink.delayMs);
  }
}

function postBulk(conn: Connection, body: BulkBody): Promise<unknown> {
  return untraced(() =>
    conn.client.transport.request(
      {
        method: 'POST',
        path: '/_bulk',
        querystring: { filter_path: BULK_FILTER_PATH, ...(conn.cfg.refresh ? { refresh: 'true' } : {}) },
        bulkBody: body.ndjson,
      },
      { meta: false, ...UNTRACED_REQUEST },
    ),
  );
}

/**
 * A 413 (the request is over the server's http.max_content_length): the batch goes again as two halves,
 * recursively, so it is never retried as it is forever; a single record that is still too large is refused
 * for good (dead-lettered) with the reason. Creates are idempotent, so a half already stored is harmless.
 */
async function sendHalves(sink: BulkSink, batch: Batch, message: string): Promise<WriteResult> {
  const n = recordCount(batch);
  const diag = sink.conn.diag;
  if (n <= 1) {
    diag.count('elasticsearch.too_large');
    return failure(batchIds(batch).map((id) => ({ id, reason: `${message} (this one record is larger than http.max_content_length)` })));
  }
  diag.count('elasticsearch.split_413');
  const halves = splitBatch(batch, Math.ceil(n / 2));
  const results = [await sendBatch(sink, halves[0]), await sendBatch(sink, halves[1])];
  const retry = results.find((r) => r.status === 'retryable');
  if (retry) return retry;
  const reasons = results.flatMap((r) => (r.status === 'failure' ? r.reasons : []));
  return reasons.length > 0 ? failure(reasons) : SUCCESS;
}

function batchIds(batch: Batch): string[] {
  return recordIds(batch);
}
