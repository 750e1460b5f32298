import type { Diag } from '../../shared/diag.js';
import { errorMessage } from '../../shared/result.js';
import type { FilesystemBackend } from '../backends/filesystem/backend.js';
import { createFileChannel } from '../file-channel.js';
import type { DeliveryChannel } from '../wrappers/index.js';
import { createThreadedFileChannel, type ThreadedFileChannelOptions } from './channel.js';

export { createThreadedFileChannel, type ThreadedFileChannelOptions } from './channel.js';

/**
 * The channel of a filesystem backend: its writes on a worker thread, or, where no thread can be started
 * (the worker module missing from a bundle, threads unavailable), on the main thread as before.
 */
export async function openFileChannel(backend: FilesystemBackend, options: ThreadedFileChannelOptions): Promise<DeliveryChannel> {
  try {
    return await createThreadedFileChannel(backend, options);
  } catch (err) {
    options.diag.warn(`filesystem: writing on the main thread: ${errorMessage(err)}`);
    return createFileChannel(backend, { diag: options.diag, maxPendingBytes: options.maxPendingBytes });
  }
}
