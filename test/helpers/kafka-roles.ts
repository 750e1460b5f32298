import { join } from 'node:path';
import { serve, type RunningServer } from '../../src/collector-endpoint/serve.js';
import { compare, pgIds } from './kafka-load.js';
import { storeConfigs } from './store-configs.js';

/** The in-process roles of the Kafka tests: an ingest, a writer to PostgreSQL only, and the wait for its rows. */
export interface Topics {
  logs: string;
  spans: string;
  metrics?: string;
  dead_letter: string;
}

export function startIngestRole(brokers: string[], topics: Topics, timeout: number): Promise<RunningServer> {
  return serve({
    port: 0,
    role: 'ingest',
    config: { logger: { enable_console: false }, ingest: { rate_limit: { records_per_second: 100_000, burst: 20_000 } }, kafka: { brokers, topics, timeout } },
    diagSink: () => {},
  });
}

export function startPgWriter(tag: string, dir: string, brokers: string[], topics: Topics): Promise<RunningServer> {
  return serve({
    port: 0,
    role: 'writer',
    env: { ISOTEL_INGEST_WORKER: '0' },
    config: {
      logger: { enable_console: false, data_dir: join(dir, 'data'), backends: [{ backend_type: 'postgres', config: { ...storeConfigs(tag).postgres, retry_delay: 0.2 } }] },
      ingest: { wal_dir: join(dir, 'wal') },
      kafka: { brokers, group_id: `${tag}-writer`, topics, max_wait: 0.2 },
    },
    diagSink: () => {},
  });
}

/** The run's PostgreSQL rows by record id, once every acknowledged one is there (or after `timeoutMs`). */
export async function untilInPostgres(tag: string, acked: Set<string>, timeoutMs = 120_000): Promise<Map<string, number>> {
  const end = Date.now() + timeoutMs;
  let stored = await pgIds(`${tag}_logs`, tag);
  while (compare(acked, stored).missing > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 500));
    stored = await pgIds(`${tag}_logs`, tag);
  }
  return stored;
}
