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

export function createFileChannel(backend: FilesystemBackend, options: FileChannelOptions): DeliveryChannel {
  const maxPending = options.maxPendingBytes ?? 256 * 1024 * 1024;
  const queue: PreparedFileBatch[] = [];
  let pendingBytes = 0;
  let writing: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  const health: BackendHealth = { name: backend.name, state: 'healthy', waiting_on_disk: 0, delivered: 0, dead_lettered: 0, dropped: 0 };
  let failures = 0;

  const loop = async () => {
    while (queue.length > 0) {
      // One prepared batch per append (≈1,000 lines, one write syscall); no copying into a merged buffer.
      const merged = queue.shift()!;
      let done = false;
      while (!done) {
        const r = await backend.writePrepared(merged);
        if (r.status === 'retryable') {
          failures++;
          health.state = 'retrying';
          health.last_error = r.reason;
          health.last_error_at = new Date().toISOString();
          options.diag.warn(`filesystem write failed, retrying: ${r.reason}`);
          if (closed && failures > 3) {
            health.dropped += merged.count;
            options.diag.count('logs.dropped.file_unwritable', merged.count);
            break;
          }
          await delay(backoffDelay(failures - 1, r.delayMs, 100, 30_000));
          continue;
        }
        failures = 0;
        health.state = 'healthy';
        health.delivered += merged.count;
        done = true;
      }
      pendingBytes -= merged.bytes;
    }
  };
  const kick = () => {
    if (writing) return;
    writing = loop().finally(() => {
      writing = undefined;
      if (queue.length > 0) kick();
    });
  };

  return {
    name: backend.name,
    enqueue(batch: Batch) {
      try {
        const p = backend.prepare(batch);
        queue.push(p);
        pendingBytes += p.bytes;
        while (pendingBytes > maxPending && queue.length > 1) {
          const old = queue.shift()!;
          pendingBytes -= old.bytes;
          health.dropped += old.count;
          options.diag.count('logs.dropped.file_backlog', old.count);
        }
        kick();
      } catch (err) {
        health.dropped += batch.logs.length + batch.spans.length;
        options.diag.count('logs.dropped.unserializable', batch.logs.length + batch.spans.length);
        options.diag.error('records could not be serialized', err);
      }
    },
    async flush() {
      // Everything handed over so far is written — unless the file is failing, in which case flush returns
      // rather than hang the caller (health() shows the state, the writer keeps retrying).
      while (writing && failures === 0) await Promise.race([writing, delay(100)]);
      if (failures === 0) await backend.flush();
    },
    close: () =>
      (closed ??= (async () => {
        while (writing) await writing;
        await backend.close();
        health.state = 'closed';
      })()),
    health: () => ({ ...health }),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
