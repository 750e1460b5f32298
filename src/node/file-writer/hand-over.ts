import type { Diag } from '../../shared/diag.js';
import type { BackendHealth } from '../backends/types.js';
import type { FilesystemBackend, PreparedFileBatch } from '../backends/filesystem/backend.js';
import { createFileChannel } from '../file-channel.js';
import type { DeliveryChannel } from '../engine/types.js';
import type { ThreadedFileChannel } from './channel.js';

/**
 * Writes through the thread until another backend of this thread opens one of the same files (the ingest a
 * service hosts, writing its JSONL file): from then on every record goes through the backend's shared file,
 * the one writer and rotation of that path in this thread (shared-files.ts), and the thread ends. The order
 * holds: the shared file's first write waits until the thread has written everything it was given.
 */
export function handOverWhenShared(threaded: ThreadedFileChannel, backend: FilesystemBackend, options: { diag: Diag; maxPendingBytes?: number }): DeliveryChannel {
  let direct: DeliveryChannel | undefined;
  let threadDone: Promise<void> = Promise.resolve();

  const handOver = (): DeliveryChannel => {
    options.diag.debug(`${backend.files.logFile} is now written by another backend of this process too: writing through it`);
    threadDone = (async () => {
      while (!threaded.settled) await new Promise((r) => setTimeout(r, 20));
      await threaded.closeThread();
    })();
    // The same backend, whose writes wait until the thread has written what it held.
    const after: FilesystemBackend = Object.assign(Object.create(backend) as FilesystemBackend, {
      writePrepared: async (p: PreparedFileBatch) => {
        await threadDone;
        return backend.writePrepared(p);
      },
    });
    return (direct = createFileChannel(after, { diag: options.diag, maxPendingBytes: options.maxPendingBytes }));
  };

  let closed: Promise<void> | undefined;
  return {
    name: backend.name,
    enqueue(batch) {
      if (direct) return direct.enqueue(batch);
      if (backend.sharesFiles()) return handOver().enqueue(batch);
      threaded.enqueue(batch);
    },
    async flush() {
      await threaded.flush();
      // While the thread still fails, flush returns (the direct writes wait for it).
      if (direct && threaded.settled) await direct.flush();
    },
    close: () =>
      (closed ??= (async () => {
        if (!direct) return threaded.close();
        // The thread writes what it can (what keeps failing is dropped and counted), then the direct writes follow.
        await threaded.closeThread();
        await threadDone;
        await direct.close();
      })()),
    health(): BackendHealth {
      const t = threaded.health();
      if (!direct) return t;
      const d = direct.health();
      const state = d.state === 'closed' ? 'closed' : t.state === 'retrying' && !threaded.settled ? 'retrying' : d.state;
      return { ...d, state, delivered: t.delivered + d.delivered, dropped: t.dropped + d.dropped, last_error: d.last_error ?? t.last_error, last_error_at: d.last_error_at ?? t.last_error_at };
    },
  };
}
