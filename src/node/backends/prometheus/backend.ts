import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Batch } from '../../../shared/model.js';
import { SUCCESS, errorMessage, failure, type RejectedItem, type WriteResult } from '../../../shared/result.js';
import type { Backend, BackendContext } from '../types.js';
import type { PrometheusBackendConfig } from '../../config/backend-schemas.js';
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, expose, wantsOpenMetrics } from './exposition.js';
import { SeriesStore } from './series.js';

export type PrometheusBackendOptions = Pick<PrometheusBackendConfig, 'port' | 'host' | 'max_series' | 'stale_after'> & { now?: () => number };

/**
 * The aggregating Prometheus sink: the metric points the engine hands it become series (series.ts) that a
 * Prometheus scrapes at `http://<host>:<port>/metrics`, in the text format or OpenMetrics (the scrape's Accept).
 * Logs and spans are not its signals (the engine refuses them with a reason). The series live in memory: a
 * restart starts them again from the next points (a cumulative counter's next point restores its value; the
 * deltas before the restart are gone, which Prometheus's `rate()` sees as a counter reset).
 * A point of a new series beyond `max_series` is refused (dead-lettered with the reason, and counted as
 * `prometheus.series_dropped`); a series silent for `stale_after` seconds is forgotten (`prometheus.series_expired`).
 */
export async function createPrometheusBackend(options: PrometheusBackendOptions, ctx: BackendContext): Promise<Backend> {
  const store = new SeriesStore({ maxSeries: options.max_series, staleAfterMs: options.stale_after * 1000, now: options.now });
  const expire = () => {
    const n = store.expire();
    if (n > 0) ctx.diag.count('prometheus.series_expired', n);
  };
  const server = createServer((req, res) => {
    expire();
    serveScrape(req, res, store);
  });
  const host = options.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`prometheus backend: cannot listen on ${host}:${options.port} (port): ${errorMessage(err)}`)));
    server.listen(options.port, host, () => resolve());
  });
  server.on('error', (err) => ctx.diag.warn(`prometheus backend: ${errorMessage(err)}`));
  let closed: Promise<void> | undefined;
  return {
    name: `prometheus:${host}:${options.port}`,
    signals: ['metric'],
    skips: ['log', 'span'],
    write(batch: Batch): Promise<WriteResult> {
      expire();
      const refused: RejectedItem[] = [];
      for (const p of batch.metrics) {
        const reason = store.add(p);
        if (reason !== undefined) refused.push({ id: p.point_id, reason });
      }
      const dropped = refused.filter((r) => r.reason.startsWith('series limit')).length;
      if (dropped > 0) ctx.diag.count('prometheus.series_dropped', dropped);
      return Promise.resolve(refused.length === 0 ? SUCCESS : failure(refused));
    },
    flush: () => Promise.resolve(),
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function serveScrape(req: IncomingMessage, res: ServerResponse, store: SeriesStore): void {
  const path = (req.url ?? '/').split('?', 1)[0];
  if (path !== '/metrics') {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: scrape /metrics\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  const open = wantsOpenMetrics(req.headers.accept);
  try {
    const body = expose(store, open);
    res.writeHead(200, { 'content-type': open ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`exposition failed: ${errorMessage(err)}\n`);
  }
}
