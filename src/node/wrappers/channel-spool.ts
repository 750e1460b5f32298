import * as path from 'node:path';
import { createSpool, type Spool, type SpoolOptions } from './spool.js';
import { SpoolBusyError } from './spool-lock.js';

/** How long a channel waits for a spool held by this same process (an old channel closing during a reload). */
const OWN_LOCK_WAIT_MS = 10_000;
/** Spool directories a backend may use side by side: `spool`, `spool-2`, ... (one per live process). */
const MAX_SPOOL_DIRS = 16;

/**
 * Opens the spool of a delivery channel under `dataDir`. Several processes may share one data directory (a
 * cluster of workers, a restart overlapping the old process): each takes the first spool directory no live
 * process holds, so a restarted worker picks up the records its predecessor left. A directory held by this
 * very process is waited for, because during a configuration reload the old channel is about to close it.
 */
export async function openChannelSpool(dataDir: string, options: SpoolOptions, pid = process.pid): Promise<Spool> {
  const waitUntil = Date.now() + OWN_LOCK_WAIT_MS;
  let lastBusy: SpoolBusyError | undefined;
  for (let i = 1; i <= MAX_SPOOL_DIRS; i++) {
    const dir = path.join(dataDir, i === 1 ? 'spool' : `spool-${i}`);
    for (;;) {
      try {
        return await createSpool(dir, options);
      } catch (err) {
        if (!(err instanceof SpoolBusyError)) throw err;
        lastBusy = err;
        if (err.pid !== pid || Date.now() >= waitUntil) break;
        await new Promise((resolve) => setTimeout(resolve, 25).unref());
      }
    }
  }
  throw new Error(`every spool directory under ${dataDir} is in use (last: ${lastBusy?.message})`);
}
