import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIngestHandler, type IngestHandler, type IngestHandlerOptions } from './create.js';

export interface ServeOptions extends IngestHandlerOptions {
  port?: number;
  host?: string;
}

export interface RunningServer {
  server: http.Server;
  handler: IngestHandler;
  url: string;
  /** Stops accepting, lets requests in flight finish, closes the log and backends. Idempotent. */
  close(): Promise<void>;
}

/** Runs the ingest standalone on node:http (what `isotel serve` does). */
export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const handler = await createIngestHandler(options);
  const ingest = handler.config.ingest;
  const port = options.port ?? ingest?.port ?? 4318;
  const host = options.host ?? ingest?.host ?? '127.0.0.1';
  // Headers and body must arrive within ingest.request_timeout. Node checks that every
  // connectionsCheckingInterval (30 s by default, which let a slowloris hold a connection 30-40 s past a
  // 30 s limit): checking every quarter of the timeout, at most every second, cuts within 1.25x of it.
  const timeoutMs = Math.round((ingest?.request_timeout ?? 30) * 1000);
  const server = http.createServer(
    { requestTimeout: timeoutMs, headersTimeout: timeoutMs, connectionsCheckingInterval: Math.max(100, Math.min(1000, timeoutMs / 4)) },
    handler,
  );
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    server,
    handler,
    url: `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await handler.close();
      })()),
  };
}
