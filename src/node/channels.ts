import type { Diag } from '../shared/diag.js';
import type { LoggerConfig } from './config/index.js';
import { createFanOut, type FanOut } from './engine/fan-out.js';
import { openLocalEngine, type LocalEngine } from './engine/local.js';
import type { DeliveryChannel } from './engine/types.js';
import type { BackendRegistry } from './registry.js';
import type { LoggerHealth } from './logger.js';
import { openBackends, type OpenedBackend } from './open-backends.js';
import { openFileChannel } from './file-writer/index.js';
import { isFilesystemBackend } from './backends/filesystem/backend.js';

/**
 * Where the logger's records go: a file backend writes its own files (on a writer thread: the file is the
 * durable store, so a second disk log in front of it would only double the writes); every other backend is a
 * sink of the delivery engine (engine/local.ts). A reload gives the running engine the new sinks (it keeps its
 * log) and opens the new file writers before the old ones close.
 */
export class Channels {
  fanOut: FanOut;

  private constructor(
    private files: DeliveryChannel[],
    private engine: LocalEngine | undefined,
    private readonly registry: BackendRegistry,
    private readonly diag: Diag,
  ) {
    this.fanOut = createFanOut(engine ? [...files, engine] : files);
  }

  static async open(lc: LoggerConfig, registry: BackendRegistry, diag: Diag): Promise<Channels> {
    const { files, sinks } = await openAll(lc, registry, diag);
    const engine = sinks.length > 0 ? await openEngine(lc, sinks, diag) : undefined;
    return new Channels(files, engine, registry, diag);
  }

  /** Opens the new configuration's channels, hands them to `retarget`, then closes the file writers no longer used. */
  async reload(lc: LoggerConfig, retarget: (fanOut: FanOut) => void): Promise<void> {
    const { files, sinks } = await openAll(lc, this.registry, this.diag);
    if (this.engine) await this.engine.setSinks(sinks);
    else if (sinks.length > 0) this.engine = await openEngine(lc, sinks, this.diag);
    const old = this.files;
    this.files = files;
    this.fanOut = createFanOut(this.engine ? [...files, this.engine] : files);
    retarget(this.fanOut);
    await createFanOut(old).close();
  }

  health(counters: Record<string, number>): LoggerHealth {
    const backends = this.fanOut.health();
    const log = this.engine?.log();
    const degraded = backends.some((b) => b.state !== 'healthy' || b.waiting_on_disk > 0 || b.dropped > 0) || log?.refusing !== undefined;
    const h: LoggerHealth = { status: degraded ? 'degraded' : 'healthy', backends, counters };
    return log ? { ...h, delivery_log: log } : h;
  }
}

async function openAll(lc: LoggerConfig, registry: BackendRegistry, diag: Diag): Promise<{ files: DeliveryChannel[]; sinks: OpenedBackend[] }> {
  const opened = await openBackends(lc.backends, lc.data_dir, registry, diag);
  const files = await Promise.all(opened.flatMap((o) => (isFilesystemBackend(o.backend) ? [openFileChannel(o.backend, { diag })] : [])));
  return { files, sinks: opened.filter((o) => !isFilesystemBackend(o.backend)) };
}

function openEngine(lc: LoggerConfig, sinks: OpenedBackend[], diag: Diag): Promise<LocalEngine> {
  const q = lc.queue;
  return openLocalEngine(sinks, { dataDir: lc.data_dir, maxBytes: q.max_disk_bytes, overflow: q.overflow, maxPendingRecords: q.max_records, batchSize: q.batch_size, diag });
}

