import * as path from 'node:path';
import type { Diag } from '../../shared/diag.js';
import { WriteAheadLog } from './wal.js';
import { DirBusyError } from './lock.js';

/** How long a process waits for a log directory held by itself (an engine still closing). */
const OWN_LOCK_WAIT_MS = 10_000;
/** Log directories a data_dir may hold side by side: `delivery`, `delivery-2`, ... (one per live process). */
const MAX_DIRS = 16;

/**
 * Opens the Node SDK's durable log under `dataDir`. Several processes may share one data directory (a cluster
 * of workers, a restart overlapping the old process): each takes the first log directory no live process
 * holds, so a restarted worker delivers the records its predecessor left.
 */
export async function openProcessLog(dataDir: string, o: { maxBytes: number; readers: string[]; diag: Diag }, pid = process.pid): Promise<WriteAheadLog> {
  const waitUntil = Date.now() + OWN_LOCK_WAIT_MS;
  let lastBusy: DirBusyError | undefined;
  for (let i = 1; i <= MAX_DIRS; i++) {
    const dir = path.join(dataDir, i === 1 ? 'delivery' : `delivery-${i}`);
    for (;;) {
      try {
        return await WriteAheadLog.open({ dir, ...o });
      } catch (err) {
        if (!(err instanceof DirBusyError)) throw err;
        lastBusy = err;
        if (err.pid !== pid || Date.now() >= waitUntil) break;
        await new Promise((resolve) => setTimeout(resolve, 25).unref());
      }
    }
  }
  throw new Error(`every delivery log directory under ${dataDir} is in use (last: ${lastBusy?.message})`);
}
