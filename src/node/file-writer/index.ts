import type { Diag } from '../../shared/diag.js';
import { errorMessage } from '../../shared/result.js';
import type { FilesystemBackend } from '../backends/filesystem/backend.js';
import { createFileChannel } from '../file-channel.js';
import type { DeliveryChannel } from '../engine/types.js';
import { createThreadedFileChannel, type ThreadedFileChannelOptions } from './channel.js';
import { handOverWhenShared } from './hand-over.js';

export { createThreadedFileChannel, type ThreadedFileChannel, type ThreadedFileChannelOptions } from './channel.js';

/**
 * The channel of a filesystem backend: its writes on a worker thread; on the main thread where another backend
 * of this thread writes the same file (one writer per path: shared-files.ts), or where no thread can be started
 * (the worker module missing from a bundle).
 */
export async function openFileChannel(backend: FilesystemBackend, options: ThreadedFileChannelOptions & { diag: Diag }): Promise<DeliveryChannel> {
  const direct = () => createFileChannel(backend, { diag: options.diag, maxPendingBytes: options.maxPendingBytes });
  if (backend.sharesFiles()) return direct();
  try {
    return handOverWhenShared(await createThreadedFileChannel(backend, options), backend, options);
  } catch (err) {
    options.diag.warn(`filesystem: writing on the main thread: ${errorMessage(err)}`);
    return direct();
  }
}
