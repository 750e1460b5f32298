import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Diag } from '../shared/diag.js';
import type { BackendEntry, Committed, Dispatcher, DispatcherHealth, MetricPoints, OperationName, TraceResult, TraceSearch, TraceSummary, WriteAheadLog } from '../node/engine/index.js';
import type { LogRecord, SpanRecord } from '../shared/model.js';
import { FIELD, HEALTH_FIELDS, STATES, healthCells, type FromWorker, type ToWorker, type WorkerInit } from './dispatch-protocol.js';

/**
 * The main thread's side of the dispatch worker (dispatch-worker.ts): starts it, tells it of every commit of
 * the write-ahead log, and answers health(), drain() and trace queries for it. `waiting_on_disk` is counted
 * here (records made durable here, minus records the worker delivered), so a record is waiting from before
 * its 2xx leaves until a backend has it, with no message in between. A worker that dies is started again
 * (its cursors are on disk); close() waits until it has closed its backends and exited.
 */
export interface TraceQuery {
  getTrace(traceId: string): Promise<TraceResult>;
  listTraces?(limit: number): Promise<TraceSummary[]>;
  search?: TraceSearch;
}

export interface DispatchWorkerOptions {
  script: URL;
  wal: WriteAheadLog;
  walDir: string;
  dataDir: string;
  entries: BackendEntry[];
  batchSize?: number;
  queryBackend?: string;
  diag: Diag;
  restartDelayMs?: number;
}

type Question = Extract<ToWorker, { t: 'query' }> extends infer U ? (U extends { t: 'query' } ? Omit<U, 'id'> : never) : never;

const F = HEALTH_FIELDS.length;
const COUNTERS = ['delivered', 'dead_lettered', 'dropped', 'writes_total', 'write_seconds_total'] as const;

/** The built worker beside this bundle (.js or .cjs), or a bootstrap that loads the .ts source through tsx. */
export function dispatchWorkerScript(): URL | undefined {
  const here = typeof __filename === 'string' ? pathToFileURL(__filename) : new URL(import.meta.url);
  const ext = /\.(c?js|m?ts)$/.exec(here.pathname)?.[1];
  const name = ext === 'ts' || ext === 'mts' ? 'dispatch-worker.dev.mjs' : ext === 'cjs' ? 'dispatch-worker.cjs' : 'dispatch-worker.js';
  const url = new URL(`./${name}`, here);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

export async function startDispatchWorker(o: DispatchWorkerOptions): Promise<{ dispatcher: Dispatcher; query?: TraceQuery }> {
  const host = new WorkerHost(o);
  try {
    await host.spawn();
  } catch (err) {
    host.unsubscribe();
    throw err;
  }
  return { dispatcher: host, query: host.query() };
}

class WorkerHost implements Dispatcher {
  private readonly n: number;
  private names: string[] = [];
  private cells: Float64Array<ArrayBufferLike>;
  /** Counters of workers that died, so totals survive a restart. */
  private readonly earlier: Float64Array;
  /** Records appended since the current worker started. */
  private appended = 0;
  /** Waiting per backend when the current worker started, until it has counted for itself. */
  private carried: number[];
  private readonly lastErrors: Array<Pick<DispatcherHealth, 'last_error' | 'last_error_at'>>;
  private worker: Worker | undefined;
  private ready = false;
  private closing = false;
  private closed: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private queryInfo: { canList: boolean; canSearch: boolean } | undefined;
  private readonly asked = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 1;
  private onClosed: (() => void) | undefined;
  readonly unsubscribe: () => void;

  constructor(private readonly o: DispatchWorkerOptions) {
    this.n = o.entries.length;
    this.cells = new Float64Array(this.n * F);
    this.earlier = new Float64Array(this.n * F);
    this.carried = new Array<number>(this.n).fill(0);
    this.lastErrors = Array.from({ length: this.n }, () => ({}));
    this.unsubscribe = o.wal.onCommitted((c) => this.advance(c));
  }

  /** Starts a worker; resolves once it has opened its backends (rejects with its configuration error). */
  spawn(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const sab = healthCells(this.n);
      const o = this.o;
      const init: WorkerInit = { walDir: o.walDir, dataDir: o.dataDir, entries: o.entries, segments: o.wal.segmentList(), batchSize: o.batchSize, queryBackend: o.queryBackend, health: sab };
      // Snapshot and counter reset together, synchronously: every later commit reaches this worker as an advance.
      this.carried = this.carried.map((_, i) => this.waiting(i));
      this.appended = 0;
      this.ready = false;
      const w = new Worker(o.script, { workerData: init });
      this.worker = w;
      this.cells = new Float64Array(sab);
      w.on('message', (m: FromWorker) => this.onMessage(w, m, resolve, reject));
      w.on('error', (err) => o.diag.error('ingest dispatch worker failed', err));
      w.on('exit', (code) => this.onExit(w, code, reject));
    });
  }

  query(): TraceQuery | undefined {
    const info = this.queryInfo;
    return info && {
      getTrace: (traceId) => this.ask<TraceResult>({ t: 'query', op: 'getTrace', traceId }),
      listTraces: info.canList ? (limit) => this.ask<TraceSummary[]>({ t: 'query', op: 'listTraces', limit }) : undefined,
      search: info.canSearch
        ? {
            services: () => this.ask<string[]>({ t: 'query', op: 'services' }),
            operations: (service, kind) => this.ask<OperationName[]>({ t: 'query', op: 'operations', service, kind }),
            findTraces: (filter) => this.ask<SpanRecord[][]>({ t: 'query', op: 'findTraces', filter }),
            findLogs: (filter) => this.ask<LogRecord[]>({ t: 'query', op: 'findLogs', filter }),
            findMetrics: (filter) => this.ask<MetricPoints>({ t: 'query', op: 'findMetrics', filter }),
          }
        : undefined,
    };
  }

  health(): DispatcherHealth[] {
    return this.names.map((name, i) => this.healthOf(name, i));
  }

  async drain(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.names.every((_, i) => this.waiting(i) === 0)) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return false;
  }

  close(): Promise<void> {
    return (this.closed ??= (async () => {
      this.closing = true;
      clearTimeout(this.restartTimer);
      this.unsubscribe();
      const w = this.worker;
      if (!w) return;
      w.ref(); // until it has closed its backends, even if nothing else keeps the process alive
      await new Promise<void>((resolve) => {
        this.onClosed = resolve;
        this.send({ t: 'close' });
      });
      await w.terminate();
    })());
  }

  private waiting(i: number): number {
    const c = this.cells;
    return Math.max(0, this.ready ? c[i * F + FIELD.waiting0] + this.appended - c[i * F + FIELD.committed] : this.carried[i] + this.appended);
  }

  private send(m: ToWorker, transfer?: ArrayBuffer[]): void {
    this.worker?.postMessage(m, transfer);
  }

  /** A commit round of the log: the worker learns the new end and gets the frames. */
  private advance(c: Committed): void {
    this.appended += c.records;
    // The log is done with the payloads: a payload that owns its memory moves to the worker without a copy
    // (JSON of 500 records is far above the 4 KiB that Buffer.from takes from the shared pool).
    const transfer: ArrayBuffer[] = [];
    const frames = c.frames.map(({ payload, ...f }) => {
      const own = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength && payload.buffer instanceof ArrayBuffer;
      const bytes = own ? payload : new Uint8Array(payload);
      transfer.push(bytes.buffer as ArrayBuffer);
      return { ...f, payload: bytes };
    });
    const m: ToWorker = { t: 'advance', head: c.head, records: c.records, frames };
    try {
      this.send(m, transfer);
    } catch {
      this.send(m); // a buffer that cannot be transferred: copied instead
    }
  }

  private onMessage(w: Worker, m: FromWorker, resolve: () => void, reject: (e: Error) => void): void {
    const o = this.o;
    switch (m.t) {
      case 'ready':
        this.names = m.names;
        this.queryInfo = m.query;
        this.ready = true;
        w.unref(); // the host's server keeps the process alive, not the ingest's worker
        return resolve();
      case 'failed':
        void w.terminate();
        return reject(new Error(m.message));
      case 'released':
        return o.wal.release(m.index);
      case 'drained':
        return o.wal.markDrained(m.head);
      case 'diag':
        return o.diag[m.level === 'info' ? 'debug' : m.level](m.message, m.detail);
      case 'count':
        return o.diag.count(m.name, m.n);
      case 'last-error':
        this.lastErrors[m.target] = { last_error: m.last_error, last_error_at: m.last_error_at };
        return;
      case 'answer':
        return this.answered(m);
      case 'closed':
        return this.onClosed?.();
    }
  }

  private answered(m: Extract<FromWorker, { t: 'answer' }>): void {
    const a = this.asked.get(m.id);
    this.asked.delete(m.id);
    if (m.error === undefined) a?.resolve(m.value);
    else a?.reject(new Error(m.error));
  }

  private onExit(w: Worker, code: number, reject: (e: Error) => void): void {
    for (const a of this.asked.values()) a.reject(new Error('the ingest dispatch worker stopped'));
    this.asked.clear();
    if (this.worker !== w) return;
    this.worker = undefined;
    this.onClosed?.();
    if (!this.ready) return reject(new Error(`the ingest dispatch worker exited (code ${code}) before it was ready`));
    if (this.closing) return;
    // Died while running: records wait in the log; a new worker resumes from the cursors.
    this.carried = this.carried.map((_, i) => this.waiting(i));
    for (let i = 0; i < this.earlier.length; i++) if (COUNTERS.some((k) => i % F === FIELD[k])) this.earlier[i] += this.cells[i];
    this.ready = false;
    this.appended = 0;
    this.cells = new Float64Array(this.n * F).fill(0);
    for (let i = 0; i < this.n; i++) this.cells[i * F + FIELD.state] = STATES.indexOf('retrying');
    this.lastErrors.fill({ last_error: `the dispatch worker exited (code ${code}); restarting it`, last_error_at: new Date().toISOString() });
    this.o.diag.error(`ingest dispatch worker exited with code ${code}; starting it again`);
    this.restart();
  }

  private restart(): void {
    this.restartTimer = setTimeout(() => {
      this.spawn().catch((err: unknown) => {
        this.o.diag.error('restarting the ingest dispatch worker failed', err);
        if (!this.closing) this.restart();
      });
    }, this.o.restartDelayMs ?? 1000);
    this.restartTimer.unref();
  }

  private ask<T>(m: Question): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!this.ready || !this.worker) return reject(new Error('the ingest dispatch worker is restarting'));
      const id = this.nextId++;
      this.asked.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ ...m, id } as ToWorker);
    });
  }

  private healthOf(name: string, i: number): DispatcherHealth {
    const b = i * F;
    const cells = this.cells;
    const earlier = this.earlier;
    const h: DispatcherHealth = {
      name,
      state: this.closing ? 'closed' : (STATES[cells[b + FIELD.state]] ?? 'healthy'),
      waiting_on_disk: this.waiting(i),
      delivered: earlier[b + FIELD.delivered] + cells[b + FIELD.delivered],
      dead_lettered: earlier[b + FIELD.dead_lettered] + cells[b + FIELD.dead_lettered],
      dropped: earlier[b + FIELD.dropped] + cells[b + FIELD.dropped],
      write_seconds_total: earlier[b + FIELD.write_seconds_total] + cells[b + FIELD.write_seconds_total],
      writes_total: earlier[b + FIELD.writes_total] + cells[b + FIELD.writes_total],
    };
    const ms = cells[b + FIELD.last_write_ms];
    if (!Number.isNaN(ms) && h.writes_total > 0) h.last_write_ms = ms;
    if (this.lastErrors[i].last_error !== undefined) h.last_error = this.lastErrors[i].last_error;
    if (this.lastErrors[i].last_error_at !== undefined) h.last_error_at = this.lastErrors[i].last_error_at;
    return h;
  }
}
