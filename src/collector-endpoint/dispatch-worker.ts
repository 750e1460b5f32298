import { parentPort, workerData } from 'node:worker_threads';
import { createDiag, type Diag } from '../shared/diag.js';
import { errorMessage } from '../shared/result.js';
import { WalFollower, defaultRegistry, openBackends, startSinks, type Dispatcher, type OpenedBackend, type RunningSinks } from '../node/engine/index.js';
import { FIELD, HEALTH_FIELDS, STATES, type FromWorker, type ToWorker, type WorkerInit } from './dispatch-protocol.js';

/**
 * The ingest's dispatch worker (a worker_threads thread): opens the backends, follows the write-ahead log the
 * main thread appends to, and runs one delivery loop per backend with its cursor, exactly as the in-thread
 * dispatcher does. It gives the backends' encoding and socket I/O a core of their own: on one thread they
 * starved while requests poured in (writes of 1,000 rows took 70-100 ms under load, 20 ms after it).
 */
const port = parentPort;
if (!port) throw new Error('dispatch-worker.ts runs as a worker thread (started by dispatch-thread.ts)');
const init = workerData as WorkerInit;
const F = HEALTH_FIELDS.length;
const cells = new Float64Array(init.health);

function post(m: FromWorker): void {
  try {
    port!.postMessage(m);
  } catch {
    // A diag detail that cannot be cloned (a function, a socket): its text instead.
    if (m.t === 'diag') port!.postMessage({ ...m, detail: String(m.detail) });
  }
}

const base = createDiag((level, message, detail) => post({ t: 'diag', level, message, detail }));
const diag: Diag = {
  ...base,
  count(name, n = 1) {
    base.count(name, n);
    post({ t: 'count', name, n });
  },
};

let follower: WalFollower | undefined;
let dispatcher: Dispatcher | undefined;
let sinks: RunningSinks | undefined;
let opened: OpenedBackend[] = [];
let query: OpenedBackend | undefined;
const early: Array<Extract<ToWorker, { t: 'advance' }>> = [];
const lastErrors: string[] = [];

/**
 * Writes each backend's numbers into the shared cells, and sends its last error when it changed. The counters
 * only together with a commit (`counters`): the dispatcher counts a batch delivered just before its cursor
 * moves, and the main thread adds `waiting` (from commits) to `delivered`, which must never miss a record.
 */
function publish(counters = true): void {
  dispatcher?.health().forEach((h, i) => {
    const b = i * F;
    cells[b + FIELD.state] = Math.max(0, STATES.indexOf(h.state));
    if (!counters) return publishError(i, h);
    cells[b + FIELD.delivered] = h.delivered;
    cells[b + FIELD.dead_lettered] = h.dead_lettered;
    cells[b + FIELD.dropped] = h.dropped;
    cells[b + FIELD.writes_total] = h.writes_total;
    cells[b + FIELD.write_seconds_total] = h.write_seconds_total;
    cells[b + FIELD.last_write_ms] = h.last_write_ms ?? Number.NaN;
    publishError(i, h);
  });
}

function publishError(i: number, h: { last_error?: string; last_error_at?: string }): void {
  const key = `${h.last_error ?? ''}\u0000${h.last_error_at ?? ''}`;
  if (key !== (lastErrors[i] ?? '\u0000')) {
    lastErrors[i] = key;
    post({ t: 'last-error', target: i, last_error: h.last_error, last_error_at: h.last_error_at });
  }
}
// State changes without a commit (retrying, circuit open) reach /health within this interval.
const publisher = setInterval(() => publish(false), 100);
publisher.unref();

async function start(): Promise<void> {
  opened = await openBackends(init.entries, init.dataDir, defaultRegistry, diag);
  const names = opened.map((o) => o.name);
  const withQuery = opened.filter((o) => typeof o.backend.getTrace === 'function');
  query = init.queryBackend ? withQuery.find((o) => o.name === init.queryBackend || o.type === init.queryBackend) : withQuery[0];
  if (init.queryBackend && !query) throw new Error(`ingest.query_backend: no configured backend named or of type "${init.queryBackend}"`);
  const f = await WalFollower.open({
    dir: init.walDir,
    readers: names,
    segments: init.segments,
    diag,
    onRelease: (index) => post({ t: 'released', index }),
    onDrained: (head) => post({ t: 'drained', head }),
    onCommitted: (name, records) => {
      // Delivered first, committed after: the main thread reads the two cells at any moment, and a record may be
      // counted twice for an instant (delivered and still waiting), never zero times.
      publish();
      cells[names.indexOf(name) * F + FIELD.committed] += records;
    },
  });
  names.forEach((name, i) => {
    cells[i * F + FIELD.waiting0] = f.waiting(name);
  });
  follower = f;
  for (const m of early.splice(0)) f.advance(m.head, m.records, m.frames);
  // Three batches in flight, not two: here a batch's encoding runs beside the database's work instead of
  // between the main thread's requests, so a third keeps both database connections busy while it is
  // encoded (measured on 2 cores: persisted/accepted 0.64 -> 0.74 for PostgreSQL, noisy).
  sinks = startSinks({ wal: f, sinks: opened, dataDir: init.dataDir, batchSize: init.batchSize, concurrency: 3, diag });
  dispatcher = sinks.dispatcher;
  post({ t: 'ready', names, query: query ? { name: query.name, canList: typeof query.backend.listTraces === 'function', canSearch: query.backend.search !== undefined } : undefined });
}

async function answer(m: Extract<ToWorker, { t: 'query' }>): Promise<void> {
  try {
    post({ t: 'answer', id: m.id, value: await ask(m) });
  } catch (err) {
    post({ t: 'answer', id: m.id, error: errorMessage(err) });
  }
}

function ask(m: Extract<ToWorker, { t: 'query' }>): Promise<unknown> {
  const b = query?.backend;
  if (!b?.getTrace) throw new Error('no query backend is configured');
  if (m.op === 'getTrace') return b.getTrace(m.traceId);
  if (m.op === 'listTraces') {
    if (!b.listTraces) throw new Error('the query backend cannot list traces');
    return b.listTraces(m.limit);
  }
  if (!b.search) throw new Error('the query backend cannot search traces');
  if (m.op === 'services') return b.search.services();
  if (m.op === 'operations') return b.search.operations(m.service, m.kind);
  if (m.op === 'findLogs') return b.search.findLogs(m.filter);
  if (m.op === 'findMetrics') return b.search.findMetrics(m.filter);
  return b.search.findTraces(m.filter);
}

let closing: Promise<void> | undefined;
function close(): Promise<void> {
  return (closing ??= (async () => {
    await sinks?.stop();
    clearInterval(publisher);
    publish();
    post({ t: 'closed' });
  })());
}

port.on('message', (m: ToWorker) => {
  if (m.t === 'advance') {
    if (follower) follower.advance(m.head, m.records, m.frames);
    else early.push(m);
  } else if (m.t === 'query') void answer(m);
  else if (m.t === 'close') void close();
});

start().catch(async (err: unknown) => {
  await Promise.all(opened.map((o) => o.backend.close().catch(() => undefined)));
  post({ t: 'failed', message: errorMessage(err) });
});
