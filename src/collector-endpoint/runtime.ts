import * as path from 'node:path';
import type { Diag } from '../shared/diag.js';
import type { Redactor } from '../shared/redact.js';
import type { Backend } from '../node/backends/types.js';
import type { BackendEntry } from '../node/open-backends.js';
import { WriteAheadLog } from '../node/wal/wal.js';
import { startDispatcher, type Dispatcher, type DispatcherHealth } from '../node/wal/dispatcher.js';
import { withCircuitBreaker, createDeadLetter } from '../node/wrappers/index.js';
import { startDispatchWorker, type TraceQuery } from './dispatch-thread.js';

/**
 * What the ingest runs on: the write-ahead log, one dispatcher loop per backend, the query backend, the
 * redactor. Opened once by createIngestHandler; closed once. The dispatcher and the backends run either in
 * this thread (`backends`: opened by the caller) or in a worker thread (`worker`: the worker opens the
 * backends from their configuration), which gives the backends' encoding and I/O a core of their own.
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
  query?: TraceQuery;
  redactor: Redactor;
  diag: Diag;
  health(): IngestHealth;
  close(): Promise<void>;
}

export async function openRuntime(opts: {
  walDir: string;
  walMaxBytes: number;
  dataDir: string;
  backends?: NamedBackend[];
  /** Run the dispatcher in a worker thread (dispatch-thread.ts), with these backends of the configuration. */
  worker?: { script: URL; entries: BackendEntry[] };
  queryBackend?: string;
  redactor: Redactor;
  diag: Diag;
  batchSize?: number;
}): Promise<IngestRuntime> {
  if (opts.worker) return openWithWorker({ ...opts, worker: opts.worker });
  const backends = opts.backends ?? [];
  const names = backends.map((b) => b.name);
  const wal = await WriteAheadLog.open({ dir: opts.walDir, maxBytes: opts.walMaxBytes, readers: names, diag: opts.diag });
  const deadLetters = new Map(backends.map((b) => [b.name, createDeadLetter(path.join(opts.dataDir, 'dead-letter', `${b.name}.jsonl`))]));
  const dispatcher = startDispatcher({
    wal,
    diag: opts.diag,
    batchSize: opts.batchSize,
    targets: backends.map((b) => ({ name: b.name, backend: withCircuitBreaker(b.backend, b.breaker) })),
    onRejected: async (name, items, batch) => {
      const dl = deadLetters.get(name);
      if (dl) await dl.write(name, items, batch);
    },
  });
  const q = pickQueryBackend(backends, opts.queryBackend);
  return assemble(opts, wal, dispatcher, q, async () => {
    await Promise.all(backends.map((b) => b.backend.close().catch((err: unknown) => opts.diag.error(`closing ${b.name} failed`, err))));
  });
}

type RuntimeOptions = Parameters<typeof openRuntime>[0];

async function openWithWorker(opts: RuntimeOptions & { worker: { script: URL; entries: BackendEntry[] } }): Promise<IngestRuntime> {
  // The worker owns the cursors and deletes the segments they have passed; this log only appends.
  const wal = await WriteAheadLog.open({ dir: opts.walDir, maxBytes: opts.walMaxBytes, readers: [], external: true, diag: opts.diag });
  try {
    const { dispatcher, query } = await startDispatchWorker({
      script: opts.worker.script,
      wal,
      walDir: opts.walDir,
      dataDir: opts.dataDir,
      entries: opts.worker.entries,
      batchSize: opts.batchSize,
      queryBackend: opts.queryBackend,
      diag: opts.diag,
    });
    return assemble(opts, wal, dispatcher, query, async () => {});
  } catch (err) {
    await wal.close();
    throw err;
  }
}

function assemble(opts: RuntimeOptions, wal: WriteAheadLog, dispatcher: Dispatcher, query: TraceQuery | undefined, closeBackends: () => Promise<void>): IngestRuntime {
  let closing: Promise<void> | undefined;
  return {
    wal,
    walMaxBytes: opts.walMaxBytes,
    dispatcher,
    query,
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
        await closeBackends();
      })()),
  };
}

function pickQueryBackend(backends: NamedBackend[], wanted?: string): TraceQuery | undefined {
  const withQuery = backends.filter((b) => typeof b.backend.getTrace === 'function');
  const chosen = wanted ? withQuery.find((b) => b.name === wanted || b.type === wanted) : withQuery[0];
  if (wanted && !chosen) throw new Error(`ingest.query_backend: no configured backend named or of type "${wanted}"`);
  return chosen?.backend as TraceQuery | undefined;
}
