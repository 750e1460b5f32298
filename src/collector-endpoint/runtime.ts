import type { Batch } from '../shared/model.js';
import type { Diag } from '../shared/diag.js';
import type { Redactor } from '../shared/redact.js';
import { WriteAheadLog, startSinks, type AppendResult, type BackendEntry, type Dispatcher, type DispatcherHealth, type OpenedBackend } from '../node/engine/index.js';
import { startDispatchWorker, type TraceQuery } from './dispatch-thread.js';

/**
 * What the ingest runs on: the write-ahead log, one dispatcher loop per backend, the query backend, the
 * redactor. Opened once by createIngestHandler; closed once. The dispatcher and the backends run either in
 * this thread (`backends`: opened by the caller) or in a worker thread (`worker`: the worker opens the
 * backends from their configuration), which gives the backends' encoding and I/O a core of their own.
 */
export type NamedBackend = OpenedBackend;

export interface IngestHealth {
  status: 'healthy' | 'degraded' | 'unavailable';
  /** `refusing`: why appends are refused now (a POST gets 503 with the same reason). None in --role ingest. */
  wal?: { bytes: number; max_bytes: number; refusing?: string };
  backends: DispatcherHealth[];
}

export interface IngestRuntime {
  /**
   * What a POST waits for before its 200: the write-ahead log's append (fsync'd), or in --role ingest Kafka's
   * acknowledgment of the records (kafka-ingest.ts). Resolves, never rejects.
   */
  store(batch: Batch): Promise<AppendResult>;
  /** Where store() puts the records: the label prefix of its refusals in isotel_ingest_records_rejected_total. */
  readonly storeKind: 'wal' | 'kafka';
  /** The write-ahead log's size and budget for /metrics; undefined without one (--role ingest). */
  walBytes(): { bytes: number; max: number } | undefined;
  /** More /metrics lines (--role ingest: the produce histogram and errors). */
  metricsText?(): string;
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
  const running = startSinks({ wal, sinks: backends, dataDir: opts.dataDir, batchSize: opts.batchSize, diag: opts.diag });
  return assemble(opts, wal, running.dispatcher, pickQueryBackend(backends, opts.queryBackend), () => running.stop());
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
    store: (batch) => wal.append(batch),
    storeKind: 'wal',
    walBytes: () => ({ bytes: wal.sizeBytes(), max: opts.walMaxBytes }),
    dispatcher,
    query,
    redactor: opts.redactor,
    diag: opts.diag,
    health() {
      const backends = dispatcher.health();
      // The log's own word on whether it refuses appends: the very check a POST meets, so the two agree.
      const st = wal.status();
      const degraded = backends.some((b) => b.state !== 'healthy');
      return {
        status: st.full ? 'unavailable' : degraded ? 'degraded' : 'healthy',
        wal: { bytes: wal.sizeBytes(), max_bytes: opts.walMaxBytes, ...(st.full ? { refusing: st.message } : {}) },
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
