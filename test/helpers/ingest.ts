import * as http from 'node:http';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createIngestHandler, type IngestHandler } from '../../src/collector-endpoint/index.js';

export interface TestIngest {
  url: string;
  dir: string;
  handler: IngestHandler;
  logs(): Array<Record<string, unknown>>;
  spans(): Array<Record<string, unknown>>;
  metrics(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** An ingest on 127.0.0.1 (random port) writing JSONL into a fresh temp dir, and to `moreBackends` too. */
export async function startIngest(ingest: Record<string, unknown> = {}, logger: Record<string, unknown> = {}, moreBackends: unknown[] = []): Promise<TestIngest> {
  const dir = mkdtempSync(join(tmpdir(), 'isotel-ingest-'));
  const handler = await createIngestHandler({
    config: {
      logger: {
        service_name: 'ingest-test',
        enable_console: false,
        data_dir: join(dir, 'data'),
        backends: [{ backend_type: 'filesystem', config: { log_file: join(dir, 'logs', 'ingest.jsonl') } }, ...moreBackends],
        ...logger,
      },
      ingest: { wal_dir: join(dir, 'wal'), ...ingest },
    },
    diagSink: () => {},
  });
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    handler,
    logs: () => jsonl(join(dir, 'logs', 'ingest.jsonl')),
    spans: () => jsonl(join(dir, 'logs', 'ingest.spans.jsonl')),
    metrics: () => jsonl(join(dir, 'logs', 'ingest.metrics.jsonl')),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await handler.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function jsonl(file: string): Array<Record<string, unknown>> {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
}
