import { join } from 'node:path';
import { serve, type RunningServer } from '../../src/collector-endpoint/index.js';
import { storeConfigs } from './store-configs.js';

export const QUERY_BACKENDS = ['filesystem', 'postgres', 'elasticsearch'] as const;
export type QueryBackend = (typeof QUERY_BACKENDS)[number];

/**
 * One data set readable through each query backend: an ingest writing JSONL, PostgreSQL and Elasticsearch
 * (its own query backend is the JSONL files) receives what `send` posts and drains it to all three; then one
 * server per database reads the same tables and indices. For the suites that ask every backend the same
 * question and expect the same answer.
 */
export async function startQueryServers(o: { tag: string; dir: string; name: string; send: (url: string) => Promise<void> }): Promise<Record<QueryBackend, RunningServer>> {
  const stores = storeConfigs(o.tag);
  const config = (sub: string, backends: object[], query: QueryBackend) => ({
    logger: { service_name: o.name, enable_console: false, data_dir: join(o.dir, sub, 'data'), backends },
    ingest: { wal_dir: join(o.dir, sub, 'wal'), query_backend: query },
  });
  const jsonl = { backend_type: 'filesystem', config: { log_file: join(o.dir, 'logs', `${o.name}.jsonl`) } };
  const pg = { backend_type: 'postgres', config: stores.postgres };
  const es = { backend_type: 'elasticsearch', config: stores.elasticsearch };
  const filesystem = await serve({ config: config('main', [jsonl, pg, es], 'filesystem'), port: 0, diagSink: () => {} });
  await o.send(filesystem.url);
  if (!(await filesystem.handler.drain(60_000))) throw new Error('the ingest did not deliver the test data to every backend within 60 s');
  const postgres = await serve({ config: config('pg', [pg], 'postgres'), port: 0, diagSink: () => {} });
  const elasticsearch = await serve({ config: config('es', [es], 'elasticsearch'), port: 0, diagSink: () => {} });
  return { filesystem, postgres, elasticsearch };
}
