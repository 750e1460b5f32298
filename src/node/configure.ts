import { createDiag, type Diag, type DiagSink } from '../shared/diag.js';
import { createRecordIdGenerator } from '../shared/ids.js';
import { parseLevel, SEVERITY_NUMBER } from '../shared/severity.js';
import { systemClock, type Clock } from '../shared/time.js';
import { createRedactor } from '../shared/redact.js';
import { SDK_VERSION } from '../shared/version.js';
import { loadConfigFile, parseConfigObject, watchConfigFile, type IsotelConfig, type LoggerConfig } from './config/index.js';
import { createFanOut } from './engine/fan-out.js';
import { openLocalEngine, type LocalEngine } from './engine/local.js';
import type { DeliveryChannel } from './engine/types.js';
import { defaultRegistry, type BackendRegistry } from './registry.js';
import { buildResource } from './resource.js';
import { setupTracing } from './tracing.js';
import { RecordBuffer } from './record-buffer.js';
import { createLogger, type Logger, type LoggerHealth } from './logger.js';
import type { LoggerCore, LoggerSettings } from './logger-core.js';
import { installExitHooks } from './exit-hooks.js';
import { openBackends, type OpenedBackend } from './open-backends.js';
import { openFileChannel } from './file-writer/index.js';
import type { Backend } from './backends/types.js';
import type { FilesystemBackend } from './backends/filesystem/backend.js';

export interface ConfigureOptions {
  /** A YAML file in the original `logger:` schema (plus optional `ingest:`). Watched for changes. */
  configFile?: string;
  /** The same configuration as an object: `{ logger: {...} }` or the bare logger section. */
  config?: unknown;
  /** Reload level, console and backends when configFile changes (default true). */
  watch?: boolean;
  /** Flush on SIGTERM and beforeExit (default true). */
  exitHooks?: boolean;
  /** Register isotel's tracer provider as the global one when none is (default true). */
  registerGlobal?: boolean;
  /** Where the SDK reports its own trouble (default: stderr, once per message; all with ISOTEL_DEBUG). */
  diagSink?: DiagSink;
  registry?: BackendRegistry;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
}

/**
 * Reads the configuration, opens the backends, and returns a logger. Invalid configuration rejects with a
 * ConfigError naming the field and line (fail fast at start-up); after that nothing the logger does throws
 * into the application.
 */
export async function configureLogger(options: ConfigureOptions = {}): Promise<Logger> {
  const registry = options.registry ?? defaultRegistry;
  const known = registry.types();
  const env = options.env ?? process.env;
  const config: IsotelConfig = options.configFile
    ? await loadConfigFile(options.configFile, { env, knownBackendTypes: known })
    : parseConfigObject(options.config ?? { logger: {} }, { env, knownBackendTypes: known });
  const lc = config.logger;
  const diag = createDiag(options.diagSink);
  const resource = buildResource({ serviceName: lc.service_name, serviceVersion: lc.service_version, environment: lc.environment });
  const scope = { name: 'isotel', version: SDK_VERSION };

  let engine: LocalEngine | undefined;
  const opened = await openChannels(lc, registry, diag, engine);
  engine = opened.engine;
  let files = opened.files;
  let fanOut = createFanOut(engine ? [...files, engine] : files);
  const buffer = new RecordBuffer(fanOut, lc.queue.batch_size);
  const core: LoggerCore = {
    settings: settingsFrom(lc),
    resource,
    scope,
    clock: options.clock ?? systemClock,
    newId: createRecordIdGenerator(),
    diag,
    count: (name, n) => diag.count(name, n),
    buffer,
    closed: false,
  };
  const tracing = setupTracing({
    resource,
    scope,
    registerGlobal: options.registerGlobal ?? true,
    diag,
    onSpan: (span) => {
      if (!core.closed) buffer.pushSpan(span);
    },
  });

  let reloading: Promise<void> = Promise.resolve();
  const watcher =
    options.configFile && options.watch !== false
      ? watchConfigFile(
          options.configFile,
          (next) => {
            reloading = reloading.then(() => applyReload(next.logger));
          },
          (err) => diag.error(`config reload rejected, keeping the running configuration: ${err.message}`),
          { env, knownBackendTypes: known },
        )
      : undefined;

  async function applyReload(next: LoggerConfig): Promise<void> {
    if (core.closed) return;
    const settings = settingsFrom(next);
    try {
      const next2 = await openChannels(next, registry, diag, engine);
      const oldFiles = files;
      files = next2.files;
      engine = next2.engine;
      fanOut = createFanOut(engine ? [...files, engine] : files);
      // Records buffered for the old backends go there first; then new records flow to the new set, under the
      // new settings from the same record on (opening backends takes a while: a file writer thread starts).
      buffer.retarget(fanOut);
      core.settings = settings;
      await createFanOut(oldFiles).close();
      diag.debug('configuration reloaded');
    } catch (err) {
      core.settings = settings;
      diag.error('config reload: backends could not be opened; keeping the running ones', err);
    }
  }

  const health = (): LoggerHealth => {
    const backends = fanOut.health();
    const log = engine?.log();
    const degraded = backends.some((b) => b.state !== 'healthy' || b.waiting_on_disk > 0 || b.dropped > 0) || log?.refusing !== undefined;
    const h: LoggerHealth = { status: degraded ? 'degraded' : 'healthy', backends, counters: diag.counters() };
    return log ? { ...h, delivery_log: log } : h;
  };
  const flush = async (): Promise<void> => {
    try {
      await reloading;
      buffer.drain();
      await fanOut.flush();
    } catch (err) {
      diag.error('flush failed', err);
    }
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      watcher?.close();
      removeHooks();
      await tracing.shutdown();
      await flush();
      core.closed = true;
      try {
        await fanOut.close();
      } catch (err) {
        diag.error('close failed', err);
      }
    })());
  const removeHooks = options.exitHooks === false ? () => {} : installExitHooks(flush, diag);

  return createLogger(core, { tracer: tracing.tracer, health, flush, close });
}

function settingsFrom(lc: LoggerConfig): LoggerSettings {
  const level = parseLevel(lc.log_level) ?? 'info';
  const limits = {
    maxStringLength: lc.limits.max_attribute_value_length,
    maxAttributes: lc.limits.max_attributes,
    maxDepth: lc.limits.max_depth,
    maxArrayLength: 1000,
  };
  return {
    minSeverity: SEVERITY_NUMBER[level],
    console: lc.enable_console ? lc.console_format : false,
    limits,
    bodyLimits: { ...limits, maxStringLength: lc.limits.max_body_length },
    redactor: createRedactor({ keys: lc.redact.keys, patterns: lc.redact.patterns, replacement: lc.redact.replacement, useDefaults: lc.redact.use_defaults }),
  };
}

/**
 * The logger's channels: a file backend writes its own files (on a writer thread: the file is the durable
 * store, so a second disk log in front of it would only double the writes); every other backend is a sink of
 * the delivery engine. On a reload the running engine is given the new sinks and keeps its log.
 */
async function openChannels(lc: LoggerConfig, registry: BackendRegistry, diag: Diag, running?: LocalEngine): Promise<{ files: DeliveryChannel[]; engine?: LocalEngine }> {
  const opened = await openBackends(lc.backends, lc.data_dir, registry, diag);
  const files = await Promise.all(opened.filter((o) => isFileBackend(o.backend)).map((o) => openFileChannel(o.backend as FilesystemBackend, { diag })));
  const sinks: OpenedBackend[] = opened.filter((o) => !isFileBackend(o.backend));
  if (running) {
    await running.setSinks(sinks);
    return { files, engine: running };
  }
  if (sinks.length === 0) return { files };
  const engine = await openLocalEngine(sinks, {
    dataDir: lc.data_dir,
    maxBytes: lc.queue.max_disk_bytes,
    overflow: lc.queue.overflow,
    maxPendingRecords: lc.queue.max_records,
    batchSize: lc.queue.batch_size,
    diag,
  });
  return { files, engine };
}

function isFileBackend(b: Backend): b is FilesystemBackend {
  return typeof (b as Partial<FilesystemBackend>).prepare === 'function' && typeof (b as Partial<FilesystemBackend>).writePrepared === 'function';
}
