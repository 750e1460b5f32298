import { backoffDelay } from '../shared/backoff.js';
import type { Batch } from '../shared/model.js';
import type { Diag } from '../shared/diag.js';
import type { BackendHealth } from './backends/types.js';
import type { FilesystemBackend, PreparedFileBatch } from './backends/filesystem/backend.js';
import type { DeliveryChannel } from './engine/types.js';

/**
 * The delivery channel of a local file backend on the main thread: the fallback of file-writer/ where no
 * worker thread can be started, shaped like sonic-boom rather than like the network channel. A batch is
 * serialized the moment it is handed over, queued, and written by one writer loop, one batch per append. A
 * disk spool would not help a backend that *is* the disk, so there is none: a failed write (disk full,
 * permissions) is retried with backoff, in order; beyond `maxPendingBytes` the oldest queued batches are
 * dropped and counted, never silently.
 */
export interface FileChannelOptions {
  diag: Diag;
  /** Serialized bytes held while the disk is slow or failing (default 256 MiB). */
  maxPendingBytes?: number;
}

/** The channel's queue, writer loop and counts. */
interface FileChannelState {
  readonly backend: FilesystemBackend;
  readonly diag: Diag;
  readonly maxPending: number;
  readonly queue: PreparedFileBatch[];
  readonly health: BackendHealth;
  pendingBytes: number;
  /** The writer loop, while it runs. */
  writing: Promise<void> | undefined;
  closed: Promise<void> | undefined;
  /** Failed writes in a row. */
  failures: number;
}

export function createFileChannel(backend: FilesystemBackend, options: FileChannelOptions): DeliveryChannel {
  const s: FileChannelState = {
    backend,
    diag: options.diag,
    maxPending: options.maxPendingBytes ?? 256 * 1024 * 1024,
    queue: [],
    health: { name: backend.name, state: 'healthy', waiting_on_disk: 0, delivered: 0, dead_lettered: 0, dropped: 0 },
    pendingBytes: 0,
    writing: undefined,
    closed: undefined,
    failures: 0,
  };
  return {
    name: backend.name,
    enqueue: (batch: Batch) => enqueue(s, batch),
    async flush() {
      // Everything handed over so far is written — unless the file is failing, in which case flush returns
      // rather than hang the caller (health() shows the state, the writer keeps retrying).
      while (s.writing && s.failures === 0) await Promise.race([s.writing, delay(100)]);
      if (s.failures === 0) await backend.flush();
    },
    close: () =>
      (s.closed ??= (async () => {
        while (s.writing) await s.writing;
        await backend.close();
        s.health.state = 'closed';
      })()),
    health: () => ({ ...s.health }),
  };
}

function enqueue(s: FileChannelState, batch: Batch): void {
  try {
    const p = s.backend.prepare(batch);
    s.queue.push(p);
    s.pendingBytes += p.bytes;
    while (s.pendingBytes > s.maxPending && s.queue.length > 1) {
      const old = s.queue.shift()!;
      s.pendingBytes -= old.bytes;
      s.health.dropped += old.count;
      s.diag.count('logs.dropped.file_backlog', old.count);
    }
    kick(s);
  } catch (err) {
    s.health.dropped += batch.logs.length + batch.spans.length;
    s.diag.count('logs.dropped.unserializable', batch.logs.length + batch.spans.length);
    s.diag.error('records could not be serialized', err);
  }
}

function kick(s: FileChannelState): void {
  if (s.writing) return;
  s.writing = writeQueued(s).finally(() => {
    s.writing = undefined;
    if (s.queue.length > 0) kick(s);
  });
}

async function writeQueued(s: FileChannelState): Promise<void> {
  while (s.queue.length > 0) {
    // One prepared batch per append (≈1,000 lines, one write syscall); no copying into a merged buffer.
    const merged = s.queue.shift()!;
    await writeWithRetry(s, merged);
    s.pendingBytes -= merged.bytes;
  }
}

/** Writes one batch, retrying with backoff; once closing, a batch that failed more than 3 times is dropped. */
async function writeWithRetry(s: FileChannelState, merged: PreparedFileBatch): Promise<void> {
  const { health } = s;
  for (;;) {
    const r = await s.backend.writePrepared(merged);
    if (r.status !== 'retryable') break;
    s.failures++;
    health.state = 'retrying';
    health.last_error = r.reason;
    health.last_error_at = new Date().toISOString();
    s.diag.warn(`filesystem write failed, retrying: ${r.reason}`);
    if (s.closed && s.failures > 3) {
      health.dropped += merged.count;
      s.diag.count('logs.dropped.file_unwritable', merged.count);
      return;
    }
    await delay(backoffDelay(s.failures - 1, r.delayMs, 100, 30_000));
  }
  s.failures = 0;
  health.state = 'healthy';
  health.delivered += merged.count;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
