import type { Client } from '@elastic/elasticsearch';
import type { Batch } from '../../../shared/model.js';
import type { Diag } from '../../../shared/diag.js';
import { retryable, errorMessage, type WriteResult } from '../../../shared/result.js';
import type { Backend, BackendContext } from '../types.js';
import { resolveConfig, type ElasticsearchBackendConfig } from './config.js';
import { authField, createClient, untraced } from './client.js';
import { classify, pingServer, STARTUP_TIMEOUT_MS, type Connection } from './connection.js';
import { displayHost } from './errors.js';
import { resolveIndices } from './indices.js';
import type { IndexTemplate } from './template.js';
import { installTemplates } from './install.js';
import { sendBatch, type BulkSink } from './send-batch.js';
import { getTrace, listTraces } from './trace-search.js';
import { elasticsearchSearch } from './span-search.js';

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
  const indices = resolveIndices(cfg, Date.now());
  const client: Client = await createClient(cfg);
  const conn: Connection = { client, cfg, auth: authField(cfg), diag: ctx.diag };
  const ensureTemplates = templateInstaller(client, indices.templates, ctx.diag);
  await startUp(conn, ensureTemplates);
  const delayMs = cfg.retry_delay * 1000;
  const sink: BulkSink = { conn, logs: indices.logs, spans: indices.spans, metrics: indices.metrics, ensureTemplates, delayMs };
  let closed = false;
  const inFlight = new Set<Promise<WriteResult>>();

  return {
    name: `elasticsearch:${cfg.hosts.map(displayHost).join(',')}`,
    signals: ['log', 'span', 'metric'],
    write(batch: Batch): Promise<WriteResult> {
      if (closed) {
        ctx.diag.warn('elasticsearch backend: write after close');
        return Promise.resolve(retryable('elasticsearch backend is closed'));
      }
      const p = sendBatch(sink, batch).catch((err: unknown) => retryable(`elasticsearch backend: ${errorMessage(err)}`, delayMs));
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
    ping: async () => !closed && pingServer(conn),
    listTraces: (limit) => listTraces(conn, indices.spansSearch, limit),
    getTrace: (traceId) => getTrace(conn, indices, traceId),
    search: elasticsearchSearch(conn, indices.spansSearch, indices.logsSearch, indices.metrics),
  };
}

/** Installs the templates on its first call, and again on the next call after a failure (else the same promise). */
function templateInstaller(client: Client, templates: IndexTemplate[], diag: Diag): (timeoutMs?: number) => Promise<void> {
  let templatesReady: Promise<void> | undefined;
  return (timeoutMs) => {
    templatesReady ??= untraced(() => installTemplates(client, templates, diag, timeoutMs)).catch((err: unknown) => {
      templatesReady = undefined; // try again on the next write
      throw err;
    });
    return templatesReady;
  };
}

/** Installs the templates now; an unreachable server only warns, any other refusal closes the client and throws. */
async function startUp(conn: Connection, ensureTemplates: (timeoutMs?: number) => Promise<void>): Promise<void> {
  try {
    await ensureTemplates(Math.min(STARTUP_TIMEOUT_MS, conn.cfg.timeout * 1000));
  } catch (err) {
    const c = classify(conn, err);
    if (c.kind === 'unreachable' || c.kind === 'transient') {
      conn.diag.warn(`${c.message}; records wait for it (the index templates are installed on the first write that reaches it)`);
    } else {
      await conn.client.close().catch((closeErr: unknown) => conn.diag.debug('elasticsearch backend: close after failed start', closeErr));
      throw new Error(c.message);
    }
  }
}
