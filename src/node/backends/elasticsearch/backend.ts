import type { Client } from '@elastic/elasticsearch';
import type { Batch, LogRecord, SpanRecord } from '../../../shared/model.js';
import { SUCCESS, failure, retryable, errorMessage, type WriteResult } from '../../../shared/result.js';
import { splitBatch } from '../../engine/batch-utils.js';
import { summarizeTraces, type Backend, type BackendContext, type TraceResult, type TraceSummary } from '../types.js';
import { resolveConfig, type ElasticsearchBackendConfig } from './config.js';
import { UNTRACED_REQUEST, authField, createClient, untraced } from './client.js';
import { classifyError, displayHost } from './errors.js';
import { compileIndexPattern, matchesWildcard } from './index-name.js';
import { indexTemplates } from './template.js';
import { installTemplates } from './install.js';
import { BULK_FILTER_PATH, buildBulkBody, readBulkResponse } from './bulk.js';
import { decodeLog, decodeSpan } from './documents.js';

/** Start-up probes must not hold the logger's start for the full request timeout. */
const STARTUP_TIMEOUT_MS = 5_000;
/** getTrace reads at most this many spans and as many logs (Elasticsearch's default max_result_window). */
const TRACE_LIMIT = 10_000;

/**
 * `backend_type: elasticsearch`.
 *
 * Start-up policy: the factory throws only for configuration errors (bad field values, an unreadable
 * ca_certs file, credentials refused with 401/403, a host that is not Elasticsearch), which the user must
 * fix. A server that is merely unreachable now does not fail the logger: the factory warns on the diag
 * channel and returns a backend whose writes answer `retryable` until the server answers, so the delivery
 * engine's retry and durable log take over. Index templates are installed before the first document is
 * written (at start-up, or lazily on the first write that reaches the server): writing without them
 * would create the day's index with dynamic mappings, which no later template can repair.
 */
export async function createElasticsearchBackend(
  config: ElasticsearchBackendConfig,
  ctx: BackendContext,
): Promise<Backend> {
  const cfg = resolveConfig(config);
  const logs = compileIndexPattern(cfg.index_pattern, 'index_pattern');
  const spans = compileIndexPattern(cfg.span_index_pattern, 'span_index_pattern');
  const now = Date.now();
  const templates = indexTemplates(
    cfg.template_name,
    { wildcard: logs.wildcard, sample: logs.format(now) },
    { wildcard: spans.wildcard, sample: spans.format(now) },
    matchesWildcard,
  );
  // When one wildcard also covers the other signal's indices, searches exclude those explicitly.
  const logsSearch = matchesWildcard(logs.wildcard, spans.format(now)) ? `${logs.wildcard},-${spans.wildcard}` : logs.wildcard;
  const spansSearch = matchesWildcard(spans.wildcard, logs.format(now)) ? `${spans.wildcard},-${logs.wildcard}` : spans.wildcard;
  const hosts = cfg.hosts;
  const auth = authField(cfg);
  const client: Client = await createClient(cfg);
  const delayMs = cfg.retry_delay * 1000;
  const name = `elasticsearch:${hosts.map(displayHost).join(',')}`;

  let templatesReady: Promise<void> | undefined;
  const ensureTemplates = (timeoutMs?: number): Promise<void> => {
    templatesReady ??= untraced(() => installTemplates(client, templates, ctx.diag, timeoutMs)).catch((err: unknown) => {
      templatesReady = undefined; // try again on the next write
      throw err;
    });
    return templatesReady;
  };

  try {
    await ensureTemplates(Math.min(STARTUP_TIMEOUT_MS, cfg.timeout * 1000));
  } catch (err) {
    const c = classifyError(err, hosts, auth);
    if (c.kind === 'unreachable' || c.kind === 'transient') {
      ctx.diag.warn(`${c.message}; records wait for it (the index templates are installed on the first write that reaches it)`);
    } else {
      await client.close().catch((closeErr: unknown) => ctx.diag.debug('elasticsearch backend: close after failed start', closeErr));
      throw new Error(c.message);
    }
  }

  let closed = false;
  const inFlight = new Set<Promise<WriteResult>>();

  async function send(batch: Batch): Promise<WriteResult> {
    const body = buildBulkBody(batch, logs, spans);
    if (body.count === 0) return body.rejected.length > 0 ? failure(body.rejected) : SUCCESS;
    try {
      await ensureTemplates();
    } catch (err) {
      // Records wait rather than fail while the templates cannot be installed (whatever the reason),
      // since writing without them would map the day's index dynamically for good.
      return retryable(`${classifyError(err, hosts, auth).message} (installing the index templates)`, delayMs);
    }
    try {
      const response = await untraced(() =>
        client.transport.request(
          {
            method: 'POST',
            path: '/_bulk',
            querystring: { filter_path: BULK_FILTER_PATH, ...(cfg.refresh ? { refresh: 'true' } : {}) },
            bulkBody: body.ndjson,
          },
          { meta: false, ...UNTRACED_REQUEST },
        ),
      );
      const outcome = readBulkResponse(response, body.count);
      if (outcome.retryReason) return retryable(outcome.retryReason, delayMs);
      const rejected = body.rejected.concat(outcome.rejected);
      if (rejected.length > 0) {
        ctx.diag.count('elasticsearch.rejected', rejected.length);
        return failure(rejected);
      }
      return SUCCESS;
    } catch (err) {
      const c = classifyError(err, hosts, auth);
      if (c.status === 413) return sendHalves(batch, c.message);
      if (c.kind === 'refused') {
        // The whole request was refused for good (e.g. a 400 the server cannot parse): every record fails.
        return failure(batchIds(batch).map((id) => ({ id, reason: c.message })));
      }
      // Unreachable, 5xx, 429, and also 401/403 (credentials revoked at runtime): the records wait, they are not lost.
      return retryable(c.message, delayMs);
    }
  }

  /**
   * A 413 (the request is over the server's http.max_content_length): the batch goes again as two halves,
   * recursively, so it is never retried as it is forever; a single record that is still too large is refused
   * for good (dead-lettered) with the reason. Creates are idempotent, so a half already stored is harmless.
   */
  async function sendHalves(batch: Batch, message: string): Promise<WriteResult> {
    const n = batch.logs.length + batch.spans.length;
    if (n <= 1) {
      ctx.diag.count('elasticsearch.too_large');
      return failure(batchIds(batch).map((id) => ({ id, reason: `${message} (this one record is larger than http.max_content_length)` })));
    }
    ctx.diag.count('elasticsearch.split_413');
    const halves = splitBatch(batch, Math.ceil(n / 2));
    const results = [await send(halves[0]), await send(halves[1])];
    const retry = results.find((r) => r.status === 'retryable');
    if (retry) return retry;
    const reasons = results.flatMap((r) => (r.status === 'failure' ? r.reasons : []));
    return reasons.length > 0 ? failure(reasons) : SUCCESS;
  }

  async function search<T>(index: string, sortTie: string, traceId: string, decode: (s: unknown) => T | undefined): Promise<T[]> {
    const request = {
      index,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: TRACE_LIMIT,
      query: { term: { trace_id: traceId } },
      sort: [{ '@timestamp': { order: 'asc' as const } }, { [sortTie]: { order: 'asc' as const } }],
      track_total_hits: false,
    };
    const response = await untraced(() => client.search(request, { requestTimeout: cfg.timeout * 1000, ...UNTRACED_REQUEST }));
    const out: T[] = [];
    for (const hit of response.hits.hits) {
      const record = decode(hit._source);
      if (record !== undefined) out.push(record);
      else ctx.diag.count('elasticsearch.undecodable_documents');
    }
    return out;
  }

  return {
    name,
    write(batch: Batch): Promise<WriteResult> {
      if (closed) {
        ctx.diag.warn('elasticsearch backend: write after close');
        return Promise.resolve(retryable('elasticsearch backend is closed'));
      }
      const p = send(batch).catch((err: unknown) => retryable(`elasticsearch backend: ${errorMessage(err)}`, delayMs));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      return p;
    },
    async flush() {
      // Every accepted write is a _bulk request already sent; flush waits for their answers.
      await Promise.allSettled([...inFlight]);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...inFlight]);
      await client.close().catch((err: unknown) => ctx.diag.debug('elasticsearch backend: close', err));
    },
    async ping() {
      if (closed) return false;
      try {
        await untraced(() =>
          client.transport.request(
            { method: 'HEAD', path: '/' },
            { requestTimeout: Math.min(STARTUP_TIMEOUT_MS, cfg.timeout * 1000), maxRetries: 0, ...UNTRACED_REQUEST },
          ),
        );
        return true;
      } catch (err) {
        const c = classifyError(err, hosts, auth);
        // Any definite answer but overload means the server is up: 405 comes from builds without the
        // rest-root module (no `GET /`, as the integ-test-zip distribution), 401/403 are reported by writes.
        if (c.kind === 'refused' || c.kind === 'auth') return true;
        ctx.diag.debug(c.message);
        return false;
      }
    },
    async listTraces(limit: number): Promise<TraceSummary[]> {
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
        const response = await untraced(() => client.search(request, { requestTimeout: cfg.timeout * 1000, ...UNTRACED_REQUEST }));
        const spans: SpanRecord[] = [];
        for (const hit of response.hits.hits) {
          const span = decodeSpan(hit._source);
          if (span) spans.push(span);
        }
        return summarizeTraces(spans, limit);
      } catch (err) {
        throw new Error(classifyError(err, hosts, auth).message);
      }
    },
    async getTrace(traceId: string): Promise<TraceResult> {
      try {
        const [l, s] = await Promise.all([
          search<LogRecord>(logsSearch, 'record_id', traceId, decodeLog),
          search<SpanRecord>(spansSearch, 'span_id', traceId, decodeSpan),
        ]);
        return { logs: l, spans: s };
      } catch (err) {
        throw new Error(classifyError(err, hosts, auth).message);
      }
    },
  };
}

function batchIds(batch: Batch): string[] {
  return batch.logs.map((r) => r.record_id).concat(batch.spans.map((s) => `${s.trace_id}-${s.span_id}`));
}
