import { createDiag, type DiagSink } from '../shared/diag.js';
import { createRecordIdGenerator } from '../shared/ids.js';
import { parseLevel, SEVERITY_NUMBER } from '../shared/severity.js';
import { systemClock, type Clock } from '../shared/time.js';
import { createRedactor } from '../shared/redact.js';
import { SDK_VERSION } from '../shared/version.js';
import { loadConfigFile, parseConfigObject, watchConfigFile, type IsotelConfig, type LoggerConfig } from './config/index.js';
import { Channels } from './channels.js';
import { defaultRegistry, type BackendRegistry } from './registry.js';
import { buildResource } from './resource.js';
import { setupTracing } from './tracing.js';
import { RecordBuffer } from './record-buffer.js';
import { createLogger, type Logger } from './logger.js';
import type { SpanRecord } from '../shared/model.js';
import type { LoggerCore, LoggerSettings } from './logger-core.js';
import { installExitHooks } from './exit-hooks.js';
import { checkAppContextManager, registerGlobals, type GlobalRegistration } from './global-registration.js';
import { createOtelLoggerProvider } from './otel-logs.js';
import { createPropagator } from './trace-context-propagator.js';
import type { Diag } from '../shared/diag.js';
import type { Tracing } from './tracing.js';

export interface ConfigureOptions {
  /** A YAML file in the original `logger:` schema (plus optional `ingest:`). Watched for changes. */
  configFile?: string;
  /** The same configuration as an object: `{ logger: {...} }` or the bare logger section. */
  config?: unknown;
  /** Reload level, console and backends when configFile changes (default true). */
  watch?: boolean;
  /** Flush on SIGTERM and beforeExit (default true). */
  exitHooks?: boolean;
  /**
   * Register isotel's tracer and logger providers, propagator and context manager as the OpenTelemetry API's
   * globals (each only where none is registered yet). Overrides `logger.tracing.register_global` (default true).
   */
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
  const env = options.env ?? process.env;
  const read = { env, knownBackendTypes: registry.types() };
  const config: IsotelConfig = options.configFile ? await loadConfigFile(options.configFile, read) : parseConfigObject(options.config ?? { logger: {} }, read);
  const lc = config.logger;
  const diag = createDiag(options.diagSink);
  const resource = buildResource({ serviceName: lc.service_name, serviceVersion: lc.service_version, environment: lc.environment });
  const scope = { name: 'isotel', version: SDK_VERSION };
  const channels = await Channels.open(lc, registry, diag);
  const buffer = new RecordBuffer(channels.fanOut, lc.queue.batch_size);
  const core: LoggerCore = { settings: settingsFrom(lc), resource, scope, clock: options.clock ?? systemClock, newId: createRecordIdGenerator(), diag, count: (name, n) => diag.count(name, n), buffer, closed: false };
  const onSpan = (span: SpanRecord) => core.closed || buffer.pushSpan(span);
  const tracing = setupTracing({ resource, scope, diag, onSpan });
  const globals = joinGlobals(options.registerGlobal ?? lc.tracing.register_global, lc, core, tracing, diag);

  let reloading: Promise<void> = Promise.resolve();
  const reload = (next: LoggerConfig) => (reloading = reloading.then(() => applyReload(core, channels, buffer, next)));
  const rejected = (err: Error) => diag.error(`config reload rejected, keeping the running configuration: ${err.message}`);
  const watcher = options.configFile && options.watch !== false ? watchConfigFile(options.configFile, (next) => void reload(next.logger), rejected, read) : undefined;

  const flush = async (): Promise<void> => {
    try {
      await reloading;
      buffer.drain();
      await channels.fanOut.flush();
    } catch (err) {
      diag.error('flush failed', err);
    }
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      watcher?.close();
      removeHooks();
      globals?.release();
      await tracing.shutdown();
      await flush();
      core.closed = true;
      await channels.fanOut.close().catch((err: unknown) => diag.error('close failed', err));
    })());
  const removeHooks = options.exitHooks === false ? () => {} : installExitHooks(flush, diag);
  return createLogger(core, { tracer: tracing.tracer, health: () => channels.health(diag.counters()), flush, close });
}

/** register_global: isotel's providers, propagator and context manager become the API's globals; else none is. */
function joinGlobals(register: boolean, lc: LoggerConfig, core: LoggerCore, tracing: Tracing, diag: Diag): GlobalRegistration | undefined {
  if (!register) {
    checkAppContextManager(diag);
    return undefined;
  }
  const propagator = createPropagator(lc.tracing.propagators);
  return registerGlobals({ tracerProvider: tracing.tracerProvider, loggerProvider: createOtelLoggerProvider(core), propagator, diag });
}

/**
 * Records buffered for the old backends go there first; then new records flow to the new set, under the new
 * settings from the same record on (opening backends takes a while: a file writer thread starts).
 */
async function applyReload(core: LoggerCore, channels: Channels, buffer: RecordBuffer, next: LoggerConfig): Promise<void> {
  if (core.closed) return;
  const settings = settingsFrom(next);
  try {
    await channels.reload(next, (fanOut) => {
      buffer.retarget(fanOut);
      core.settings = settings;
    });
    core.diag.debug('configuration reloaded');
  } catch (err) {
    core.settings = settings;
    core.diag.error('config reload: backends could not be opened; keeping the running ones', err);
  }
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
