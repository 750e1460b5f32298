import { backoffDelay } from '../../shared/backoff.js';
import { receiveMessageOnPort } from 'node:worker_threads';
import type { Batch } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import { errorMessage } from '../../shared/result.js';
import type { BackendHealth } from '../backends/types.js';
import type { FilesystemBackend } from '../backends/filesystem/backend.js';
import { logLine, spanLine } from '../backends/filesystem/json-lines.js';
import type { DeliveryChannel } from '../engine/types.js';
import { isFromWriter, type FileKind, type FromWriter } from './protocol.js';
import { spawnWriterThread, type WriterThread, type WriterTarget } from './spawn.js';
import { ChunkPool, type Chunk } from './chunks.js';
import { ChunkQueue } from './queue.js';

/** Lines joined before each copy into a chunk (~9 KB of typical log lines). */
const GROUP = 16;

/** The channel, plus what the hand-over to a shared file (index.ts) needs. */

/** Restarts of a dead writer thread that flush() waits for and that keep the process alive. */
const RESTARTS_AWAITED = 3;
export interface ThreadedFileChannel extends DeliveryChannel {
  /** Nothing is waiting for the thread: everything handed over is written, or was counted as dropped. */
  readonly settled: boolean;
  /** Gives the thread what is left, waits until it has written it and closed its files, and ends it. */
  closeThread(): Promise<void>;
}

export interface ThreadedFileChannelOptions {
  diag: Diag;
  /** Memory for lines not yet written (default 256 MiB, counted in 1 MiB chunks); beyond it the oldest are dropped. */
  maxPendingBytes?: number;
  /** Memory given to the writer thread and not yet acknowledged (default 8 MiB); the rest waits on this side. */
  windowBytes?: number;
  /** How long start-up waits for the thread (default 10 s); openFileChannel then falls back to file-channel.ts. */
  startTimeoutMs?: number;
  spawn?: (target: WriterTarget) => WriterThread;
}

/**
 * The delivery channel of a local file backend, with the I/O on a worker thread, so that writing overlaps the
 * application's logging instead of waiting for its event loop. A batch is encoded the moment it is handed
 * over, into reused shared chunks, and a chunk goes to the thread at once; acknowledgements are also read
 * synchronously, so even a logging loop that never yields recycles the same few MiB (fresh memory's page
 * faults cost more than the encoding on the bench VM). The policy is file-channel.ts's: in order; a failing
 * disk retried with backoff (by the thread); beyond `maxPendingBytes` the oldest chunks dropped and counted;
 * flush() returns rather than hang while the disk fails. A thread that dies is restarted and given its
 * unacknowledged chunks again. Rejects when the thread cannot start.
 */
export async function createThreadedFileChannel(backend: FilesystemBackend, options: ThreadedFileChannelOptions): Promise<ThreadedFileChannel> {
  const { diag } = options;
  const spawn = options.spawn ?? spawnWriterThread;
  const health: BackendHealth = { name: backend.name, state: 'healthy', waiting_on_disk: 0, delivered: 0, dead_lettered: 0, dropped: 0 };
  const pool = new ChunkPool();
  const queue = new ChunkQueue(options.maxPendingBytes ?? 256 * 1024 * 1024, options.windowBytes ?? 8 * 1024 * 1024);
  let thread!: WriterThread;
  let ready = false; // the current thread answered `ready`
  let exited = false; // the current thread is gone
  let closedByThread = false;
  let live = false; // start-up succeeded: from now on a thread that dies is restarted
  let closing = false;
  let failing = false;
  /** The thread died and a new one is due (not a disk failure: flush waits for the restart). */
  let restarting = false;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let wake: Array<() => void> = [];

  const notify = () => {
    const w = wake;
    wake = [];
    for (const f of w) f();
  };
  /** Resolves when `done()` holds (checked at each message from the thread, at least every 100 ms), or after `ms`. */
  const until = async (done: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!done() && Date.now() < end) {
      await new Promise<void>((r) => {
        wake.push(r);
        setTimeout(r, 100).unref();
      });
    }
  };
  // The thread keeps the process alive exactly while records are on their way, and while it starts or closes.
  // Port and worker both: when a thread dies its port closes, and only the worker handle waits for 'exit'.
  const updateRef = () => {
    const hold = !queue.settled || closing || !live;
    if (hold) thread.port.ref();
    else thread.port.unref();
    if (hold) thread.worker.ref();
    else thread.worker.unref();
  };
  const drop = (chunks: Chunk[], counter: string) => {
    for (const c of chunks) {
      health.dropped += c.count;
      diag.count(counter, c.count);
      pool.release(c);
    }
  };
  const pump = () => {
    for (let c = ready ? queue.next(closing) : undefined; c; c = queue.next(closing)) {
      thread.port.postMessage({ type: 'write', seq: c.seq, kind: c.kind, buf: c.sab, len: c.len });
    }
    updateRef();
  };

  const handle = (m: FromWriter) => {
    if (m.type === 'ready') {
      ready = true;
      pump();
    } else if (m.type === 'written') {
      const c = queue.ack(m.seq);
      if (c && m.dropped) drop([c], 'logs.dropped.file_unwritable');
      if (c && !m.dropped) {
        health.delivered += c.count;
        pool.release(c);
        failing = false;
        restarts = 0;
        health.state = 'healthy';
      }
      pump();
    } else if (m.type === 'failing') {
      failing = true;
      health.state = 'retrying';
      health.last_error = m.reason;
      health.last_error_at = new Date().toISOString();
      diag.warn(`filesystem write failed, retrying: ${m.reason}`);
    } else {
      closedByThread = true;
    }
    notify();
  };
  /** Acknowledgements arrive while the application logs in a loop: take them without waiting for the event loop. */
  const poll = () => {
    for (let r = receiveMessageOnPort(thread.port); r; r = receiveMessageOnPort(thread.port)) {
      if (isFromWriter(r.message)) handle(r.message);
    }
  };

  const start = () => {
    const t = spawn({ logFile: backend.files.logFile, spansFile: backend.files.spansFile, rotation: backend.files.rotation });
    thread = t;
    ready = false;
    exited = false;
    t.port.on('message', (m: unknown) => {
      if (thread === t && isFromWriter(m)) handle(m);
    });
    t.worker.on('error', (err) => {
      if (thread !== t) return;
      health.last_error = `file writer thread failed: ${errorMessage(err)}`;
      health.last_error_at = new Date().toISOString();
    });
    t.worker.on('exit', (code) => {
      if (thread !== t) return;
      exited = true;
      ready = false;
      if (live && !closing) lost(`file writer thread exited (code ${code})`);
      notify();
    });
    updateRef();
  };
  /** The thread died: what it held waits again for a new one, started after a backoff. */
  const lost = (reason: string) => {
    thread.port.close();
    restarting = true;
    health.state = 'retrying';
    health.last_error = reason;
    health.last_error_at = new Date().toISOString();
    diag.error(`filesystem: ${reason}; restarting it`);
    queue.requeue();
    restarts++;
    restartTimer = setTimeout(() => {
      restarting = false;
      try {
        start();
      } catch (err) {
        lost(`file writer thread could not start: ${errorMessage(err)}`);
      }
    }, backoffDelay(restarts, 100, 100, 30_000));
    // The chunks it held wait for the new thread: the first restarts keep the process alive for them (a process
    // ending now would lose them); a thread that keeps dying no longer holds the process.
    if (queue.settled || restarts > RESTARTS_AWAITED) restartTimer.unref();
  };

  /** A chunk that holds lines joins the queue and goes to the thread if it can; an empty one is reused. */
  const settle = (c: Chunk) => {
    if (c.count === 0) return pool.release(c);
    drop(queue.settle(c), 'logs.dropped.file_backlog');
    pump();
  };
  /**
   * Encodes records into chunks (continuing the newest waiting one, if any). Lines are joined in groups of
   * GROUP before they are copied: one flatten and one write call per group rather than per line (~15% off
   * the copy into the chunk, microbenchmark on the bench VM).
   */
  const pack = <R>(kind: FileKind, records: readonly R[], line: (r: R) => string) => {
    let c = queue.reopen(kind) ?? pool.take(kind, 0, poll);
    let text = '';
    let lines = 0;
    const put = () => {
      if (!c.fits(text)) {
        settle(c);
        c = pool.take(kind, Buffer.byteLength(text), poll);
      }
      c.put(text, lines);
      text = '';
      lines = 0;
    };
    for (const r of records) {
      try {
        text += line(r);
        lines++;
      } catch (err) {
        health.dropped++;
        diag.count('logs.dropped.unserializable');
        diag.error('a record could not be serialized', err);
      }
      if (lines === GROUP) put();
    }
    if (lines > 0) put();
    settle(c);
  };

  start();
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  await until(() => ready || exited, timeoutMs);
  if (!ready) {
    thread.port.close();
    await thread.worker.terminate();
    const why = health.last_error ?? (exited ? 'it exited before it was ready' : `no answer in ${timeoutMs} ms`);
    throw new Error(`the file writer thread did not start: ${why}`);
  }
  live = true;
  updateRef();

  let threadClosed: Promise<void> | undefined;
  const closeThread = () =>
    (threadClosed ??= (async () => {
      closing = true;
      poll();
      if (!ready && exited) {
        // The thread died and waits for its restart: one more try now, then what it held counts as dropped.
        clearTimeout(restartTimer);
        try {
          start();
        } catch (err) {
          diag.error('filesystem: the file writer thread could not start to close', err);
        }
      }
      await until(() => ready || exited, 5000);
      if (ready) {
        pump();
        thread.port.postMessage({ type: 'close' });
        await until(() => closedByThread || exited, Number.POSITIVE_INFINITY);
      }
      drop(queue.clear(), 'logs.dropped.file_unwritable');
      thread.port.close();
      await thread.worker.terminate();
    })());

  let closed: Promise<void> | undefined;
  return {
    name: backend.name,
    get settled() {
      poll();
      return queue.settled;
    },
    closeThread,
    enqueue(batch: Batch) {
      if (closing) return;
      try {
        poll();
        if (batch.logs.length > 0) pack('logs', batch.logs, logLine);
        if (batch.spans.length > 0) pack('spans', batch.spans, spanLine);
      } catch (err) {
        // Not expected (out of memory for a chunk): the batch is counted as dropped.
        const n = batch.logs.length + batch.spans.length;
        health.dropped += n;
        diag.count('logs.dropped.unserializable', n);
        diag.error('records could not be encoded', err);
      }
    },
    async flush() {
      // Everything handed over so far is written, unless the file is failing or the thread keeps dying: then
      // flush returns rather than hang the caller (health() shows the state, retries go on). A thread that died
      // once is restarted and awaited: its unacknowledged chunks go to the new one.
      poll();
      await until(() => queue.settled || failing || (restarting && restarts > RESTARTS_AWAITED), Number.POSITIVE_INFINITY);
      if (!failing) await backend.flush();
    },
    close: () =>
      (closed ??= (async () => {
        await closeThread();
        await backend.close();
        health.state = 'closed';
      })()),
    health: () => ({ ...health }),
  };
}
