import type { Diag } from '../shared/diag.js';
import type { LoggerConfig } from './config/index.js';
import { createFanOut, type FanOut } from './engine/fan-out.js';
import { openLocalEngine, type LocalEngine } from './engine/local.js';
import type { DeliveryChannel } from './engine/types.js';
import type { BackendRegistry } from './registry.js';
import type { LoggerHealth } from './logger.js';
import { openBackends, type OpenedBackend } from './open-backends.js';
import { openFileChannel } from './file-writer/index.js';
import { isFilesystemBackend, type FilesystemBackend } from './backends/filesystem/backend.js';

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
    const engine = sinks.length > 0 ? await openEngine(lc, sinks, diag).catch((err: unknown) => closeAndThrow(files, sinks, err)) : undefined;
    return new Channels(files, engine, registry, diag);
  }

  /** Opens the new configuration's channels, hands them to `retarget`, then closes the file writers no longer used. */
  async reload(lc: LoggerConfig, retarget: (fanOut: FanOut) => void): Promise<void> {
    const { files, sinks } = await openAll(lc, this.registry, this.diag);
    try {
      if (this.engine) await this.engine.setSinks(sinks);
      else if (sinks.length > 0) this.engine = await openEngine(lc, sinks, this.diag);
    } catch (err) {
      // The running channels stay; what this reload opened is closed again, not leaked.
      await closeAndThrow(files, sinks, err);
    }
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
  const sinks = opened.filter((o) => !isFilesystemBackend(o.backend));
  const fileBackends = opened.flatMap((o) => (isFilesystemBackend(o.backend) ? [o.backend] : []));
  const settled = await Promise.allSettled(fileBackends.map((b) => openChannel(b, diag)));
  const files = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) await closeAndThrow(files, sinks, failed.reason);
  return { files, sinks };
}

/** A file backend's channel; when it cannot open, the backend is closed here (an opened channel closes its own). */
async function openChannel(b: FilesystemBackend, diag: Diag): Promise<DeliveryChannel> {
  try {
    return await openFileChannel(b, { diag });
  } catch (err) {
    await b.close().catch(() => undefined);
    throw err;
  }
}

/** Closes channels and backends opened by a start or reload that then failed, and rethrows its error. */
async function closeAndThrow(files: DeliveryChannel[], sinks: OpenedBackend[], err: unknown): Promise<never> {
  await createFanOut(files).close().catch(() => undefined);
  await Promise.all(sinks.map((o) => o.backend.close().catch(() => undefined)));
  throw err;
}

function openEngine(lc: LoggerConfig, sinks: OpenedBackend[], diag: Diag): Promise<LocalEngine> {
  const q = lc.queue;
  return openLocalEngine(sinks, { dataDir: lc.data_dir, maxBytes: q.max_disk_bytes, overflow: q.overflow, maxPendingRecords: q.max_records, batchSize: q.batch_size, diag });
}

