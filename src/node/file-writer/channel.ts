import type { Batch } from '../../shared/model.js';
import type { Diag } from '../../shared/diag.js';
import type { BackendHealth } from '../backends/types.js';
import type { FilesystemBackend } from '../backends/filesystem/backend.js';
import { logLine, spanLine } from '../backends/filesystem/json-lines.js';
import { metricLine } from '../backends/filesystem/metric-lines.js';
import { recordCount } from '../engine/batch-utils.js';
import type { DeliveryChannel } from '../engine/types.js';
import { spawnWriterThread, type WriterThread, type WriterTarget } from './spawn.js';
import { ChunkPool } from './chunks.js';
import { ChunkQueue } from './queue.js';
import { packRecords } from './pack.js';
import { WriterLink } from './writer-link.js';

/** The channel, plus what the hand-over to a shared file (index.ts) needs. */
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
 * unacknowledged chunks again. Rejects when the thread cannot start. The thread itself is driven by
 * writer-link.ts, records are encoded into chunks by pack.ts.
 */
export async function createThreadedFileChannel(backend: FilesystemBackend, options: ThreadedFileChannelOptions): Promise<ThreadedFileChannel> {
  const { diag } = options;
  const spawn = options.spawn ?? spawnWriterThread;
  const health: BackendHealth = { name: backend.name, state: 'healthy', waiting_on_disk: 0, delivered: 0, dead_lettered: 0, dropped: 0 };
  const link = new WriterLink({
    spawn: () => spawn({ ...backend.files }),
    queue: new ChunkQueue(options.maxPendingBytes ?? 256 * 1024 * 1024, options.windowBytes ?? 8 * 1024 * 1024),
    pool: new ChunkPool(),
    health,
    diag,
  });
  await link.started(options.startTimeoutMs ?? 10_000);

  let closed: Promise<void> | undefined;
  return {
    name: backend.name,
    get settled() {
      link.poll();
      return link.queue.settled;
    },
    closeThread: () => link.closeThread(),
    enqueue(batch: Batch) {
      if (link.closing) return;
      try {
        link.poll();
        if (batch.logs.length > 0) packRecords(link, 'logs', batch.logs, logLine);
        if (batch.spans.length > 0) packRecords(link, 'spans', batch.spans, spanLine);
        if (batch.metrics.length > 0) packRecords(link, 'metrics', batch.metrics, metricLine);
      } catch (err) {
        // Not expected (out of memory for a chunk): the batch is counted as dropped.
        const n = recordCount(batch);
        health.dropped += n;
        diag.count('logs.dropped.unserializable', n);
        diag.error('records could not be encoded', err);
      }
    },
    async flush() {
      // Everything handed over so far is written, unless the file is failing or the thread keeps dying: then
      // flush returns rather than hang the caller (health() shows the state, retries go on). A thread that died
      // once is restarted and awaited: its unacknowledged chunks go to the new one.
      await link.drained();
      if (!link.failing) await backend.flush();
    },
    close: () =>
      (closed ??= (async () => {
        await link.closeThread();
        await backend.close();
        health.state = 'closed';
      })()),
    health: () => ({ ...health }),
  };
}
