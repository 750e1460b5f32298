import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Diag } from '../shared/diag.js';
import type { BackendEntry } from '../node/engine/index.js';
import type { TraceResult, TraceSummary } from '../node/engine/index.js';
import type { WriteAheadLog } from '../node/engine/index.js';
import type { Dispatcher, DispatcherHealth } from '../node/engine/index.js';
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
  const n = o.entries.length;
  let names: string[] = [];
  let cells: Float64Array<ArrayBufferLike> = new Float64Array(n * F);
  /** Counters of workers that died, so totals survive a restart. */
  const earlier = new Float64Array(n * F);
  /** Records appended since the current worker started. */
  let appended = 0;
  /** Waiting per backend when the current worker started, until it has counted for itself. */
  let carried = new Array<number>(n).fill(0);
  const lastErrors = Array.from({ length: n }, () => ({}) as Pick<DispatcherHealth, 'last_error' | 'last_error_at'>);
  let worker: Worker | undefined;
  let ready = false;
  let closing = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let queryInfo: { canList: boolean } | undefined;
  const asked = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let onClosed: (() => void) | undefined;

  const waiting = (i: number) => Math.max(0, ready ? cells[i * F + FIELD.waiting0] + appended - cells[i * F + FIELD.committed] : carried[i] + appended);
  const send = (m: ToWorker, transfer?: ArrayBuffer[]) => worker?.postMessage(m, transfer);
  const unsubscribe = o.wal.onCommitted((c) => {
    appended += c.records;
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
      send(m, transfer);
    } catch {
      send(m); // a buffer that cannot be transferred: copied instead
    }
  });

  const spawn = () =>
    new Promise<void>((resolve, reject) => {
      const sab = healthCells(n);
      const init: WorkerInit = { walDir: o.walDir, dataDir: o.dataDir, entries: o.entries, segments: o.wal.segmentList(), batchSize: o.batchSize, queryBackend: o.queryBackend, health: sab };
      // Snapshot and counter reset together, synchronously: every later commit reaches this worker as an advance.
      carried = carried.map((_, i) => waiting(i));
      appended = 0;
      ready = false;
      const w = new Worker(o.script, { workerData: init });
      worker = w;
      cells = new Float64Array(sab);
      w.on('message', (m: FromWorker) => {
        switch (m.t) {
          case 'ready':
            names = m.names;
            queryInfo = m.query;
            ready = true;
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
            lastErrors[m.target] = { last_error: m.last_error, last_error_at: m.last_error_at };
            return;
          case 'answer': {
            const a = asked.get(m.id);
            asked.delete(m.id);
            if (m.error === undefined) a?.resolve(m.value);
            else a?.reject(new Error(m.error));
            return;
          }
          case 'closed':
            return onClosed?.();
        }
      });
      w.on('error', (err) => o.diag.error('ingest dispatch worker failed', err));
      w.on('exit', (code) => {
        for (const a of asked.values()) a.reject(new Error('the ingest dispatch worker stopped'));
        asked.clear();
        if (worker !== w) return;
        worker = undefined;
        onClosed?.();
        if (!ready) return reject(new Error(`the ingest dispatch worker exited (code ${code}) before it was ready`));
        if (closing) return;
        // Died while running: records wait in the log; a new worker resumes from the cursors.
        carried = carried.map((_, i) => waiting(i));
        for (let i = 0; i < earlier.length; i++) if (COUNTERS.some((k) => i % F === FIELD[k])) earlier[i] += cells[i];
        ready = false;
        appended = 0;
        cells = new Float64Array(n * F).fill(0);
        for (let i = 0; i < n; i++) cells[i * F + FIELD.state] = STATES.indexOf('retrying');
        lastErrors.fill({ last_error: `the dispatch worker exited (code ${code}); restarting it`, last_error_at: new Date().toISOString() });
        o.diag.error(`ingest dispatch worker exited with code ${code}; starting it again`);
        restart();
      });
    });

  const restart = () => {
    restartTimer = setTimeout(() => {
      spawn().catch((err: unknown) => {
        o.diag.error('restarting the ingest dispatch worker failed', err);
        if (!closing) restart();
      });
    }, o.restartDelayMs ?? 1000);
    restartTimer.unref();
  };

  try {
    await spawn();
  } catch (err) {
    unsubscribe();
    throw err;
  }

  const ask = <T>(m: Question): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!ready || !worker) return reject(new Error('the ingest dispatch worker is restarting'));
      const id = nextId++;
      asked.set(id, { resolve: resolve as (v: unknown) => void, reject });
      send({ ...m, id } as ToWorker);
    });
  const query: TraceQuery | undefined = queryInfo && {
    getTrace: (traceId) => ask<TraceResult>({ t: 'query', op: 'getTrace', traceId }),
    listTraces: queryInfo.canList ? (limit) => ask<TraceSummary[]>({ t: 'query', op: 'listTraces', limit }) : undefined,
  };

  let closed: Promise<void> | undefined;
  const dispatcher: Dispatcher = {
    health: () =>
      names.map((name, i) => {
        const b = i * F;
        const h: DispatcherHealth = {
          name,
          state: closing ? 'closed' : (STATES[cells[b + FIELD.state]] ?? 'healthy'),
          waiting_on_disk: waiting(i),
          delivered: earlier[b + FIELD.delivered] + cells[b + FIELD.delivered],
          dead_lettered: earlier[b + FIELD.dead_lettered] + cells[b + FIELD.dead_lettered],
          dropped: earlier[b + FIELD.dropped] + cells[b + FIELD.dropped],
          write_seconds_total: earlier[b + FIELD.write_seconds_total] + cells[b + FIELD.write_seconds_total],
          writes_total: earlier[b + FIELD.writes_total] + cells[b + FIELD.writes_total],
        };
        const ms = cells[b + FIELD.last_write_ms];
        if (!Number.isNaN(ms) && h.writes_total > 0) h.last_write_ms = ms;
        if (lastErrors[i].last_error !== undefined) h.last_error = lastErrors[i].last_error;
        if (lastErrors[i].last_error_at !== undefined) h.last_error_at = lastErrors[i].last_error_at;
        return h;
      }),
    async drain(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (names.every((_, i) => waiting(i) === 0)) return true;
        await new Promise((r) => setTimeout(r, 10));
      }
      return false;
    },
    close: () =>
      (closed ??= (async () => {
        closing = true;
        clearTimeout(restartTimer);
        unsubscribe();
        const w = worker;
        if (!w) return;
        w.ref(); // until it has closed its backends, even if nothing else keeps the process alive
        await new Promise<void>((resolve) => {
          onClosed = resolve;
          send({ t: 'close' });
        });
        await w.terminate();
      })()),
  };
  return { dispatcher, query };
}
