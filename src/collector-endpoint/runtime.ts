import * as path from 'node:path';
import type { Diag } from '../shared/diag.js';
import type { Redactor } from '../shared/redact.js';
import type { Backend } from '../node/backends/types.js';
import { WriteAheadLog } from '../node/wal/wal.js';
import { startDispatcher, type Dispatcher, type DispatcherHealth } from '../node/wal/dispatcher.js';
import { withCircuitBreaker, createDeadLetter } from '../node/wrappers/index.js';

/**
 * What the ingest runs on: the write-ahead log, one dispatcher loop per backend, the query backend, the
 * redactor. Opened once by createIngestHandler; closed once.
 */
export interface NamedBackend {
  name: string;
  type: string;
  backend: Backend;
  breaker: { threshold: number; timeoutMs: number; healthCheckIntervalMs: number };
}

export interface IngestHealth {
  status: 'healthy' | 'degraded' | 'unavailable';
  wal: { bytes: number; max_bytes: number };
  backends: DispatcherHealth[];
}

export interface IngestRuntime {
  wal: WriteAheadLog;
  walMaxBytes: number;
  dispatcher: Dispatcher;
  query?: Backend & { getTrace: NonNullable<Backend['getTrace']> };
  redactor: Redactor;
  diag: Diag;
  health(): IngestHealth;
  close(): Promise<void>;
}

export async function openRuntime(opts: {
  walDir: string;
  walMaxBytes: number;
  dataDir: string;
  backends: NamedBackend[];
  queryBackend?: string;
  redactor: Redactor;
  diag: Diag;
  batchSize?: number;
}): Promise<IngestRuntime> {
  const names = opts.backends.map((b) => b.name);
  const wal = await WriteAheadLog.open({ dir: opts.walDir, maxBytes: opts.walMaxBytes, readers: names, diag: opts.diag });
  const deadLetters = new Map(opts.backends.map((b) => [b.name, createDeadLetter(path.join(opts.dataDir, 'dead-letter', `${b.name}.jsonl`))]));
  const dispatcher = startDispatcher({
    wal,
    diag: opts.diag,
    batchSize: opts.batchSize,
    targets: opts.backends.map((b) => ({ name: b.name, backend: withCircuitBreaker(b.backend, b.breaker) })),
    onRejected: async (name, items, batch) => {
      const dl = deadLetters.get(name);
      if (dl) await dl.write(name, items, batch);
    },
  });
  const q = pickQueryBackend(opts.backends, opts.queryBackend);
  let closing: Promise<void> | undefined;
  return {
    wal,
    walMaxBytes: opts.walMaxBytes,
    dispatcher,
    query: q,
    redactor: opts.redactor,
    diag: opts.diag,
    health() {
      const backends = dispatcher.health();
      const full = wal.sizeBytes() >= opts.walMaxBytes * 0.99;
      const degraded = backends.some((b) => b.state !== 'healthy');
      return {
        status: full ? 'unavailable' : degraded ? 'degraded' : 'healthy',
        wal: { bytes: wal.sizeBytes(), max_bytes: opts.walMaxBytes },
        backends,
      };
    },
    close: () =>
      (closing ??= (async () => {
        await dispatcher.close();
        await wal.close();
        await Promise.all(opts.backends.map((b) => b.backend.close().catch((err: unknown) => opts.diag.error(`closing ${b.name} failed`, err))));
      })()),
  };
}

function pickQueryBackend(backends: NamedBackend[], wanted?: string): IngestRuntime['query'] {
  const withQuery = backends.filter((b) => typeof b.backend.getTrace === 'function');
  const chosen = wanted ? withQuery.find((b) => b.name === wanted || b.type === wanted) : withQuery[0];
  if (wanted && !chosen) throw new Error(`ingest.query_backend: no configured backend named or of type "${wanted}"`);
  return chosen?.backend as IngestRuntime['query'];
}
