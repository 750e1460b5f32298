import { createDiag, type DiagSink } from '../shared/diag.js';
import { createRecordIdGenerator } from '../shared/ids.js';
import { parseLevel, SEVERITY_NUMBER } from '../shared/severity.js';
import { systemClock, type Clock } from '../shared/time.js';
import { createRedactor } from '../shared/redact.js';
import { SDK_VERSION } from '../shared/version.js';
import { loadConfigFileSync, parseConfigObject, watchConfigFile, type ConfigLayer, type IsotelConfig, type LoggerConfig } from './config/index.js';
import { Channels } from './channels.js';
import { defaultRegistry, type BackendRegistry } from './registry.js';
import { buildResource } from './resource.js';
import { startTracing, type StartedTracing } from './configure-tracing.js';
import { PendingTarget } from './pending-target.js';
import { RecordBuffer } from './record-buffer.js';
import { createLogger, type Logger } from './logger.js';
import type { SpanSource } from './record-buffer.js';
import type { LoggerCore, LoggerSettings } from './logger-core.js';
import { installExitHooks } from './exit-hooks.js';
import { readOtelEnv, type OtelEnv } from './otel-env.js';
import { attachApiDiag, diagSinkFor } from './otel-diag.js';
import { buildSampler } from './sampling.js';
import { createDisabledLogger } from './disabled-logger.js';
import type { Diag } from '../shared/diag.js';
import type { MetricPoint } from '../shared/model.js';

export interface ConfigureOptions {
  /** A YAML file in the original `logger:` schema (plus optional `ingest:`). Watched for changes. */
  configFile?: string;
  /**
   * The same configuration as an object: `{ logger: {...} }` or the bare logger section. Its keys win over
   * OTEL_* variables, which win over configFile's, which win over the defaults (README, "Configuration from
   * the environment").
   */
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
  /** Where the SDK reports its own trouble (default: stderr, once per message, filtered by OTEL_LOG_LEVEL; all with ISOTEL_DEBUG). */
  diagSink?: DiagSink;
  registry?: BackendRegistry;
  /** Where OTEL_* and `$VAR` references are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
}

/**
 * Reads the configuration, opens the backends, and returns a logger. Invalid configuration rejects with a
 * ConfigError naming the field and line (fail fast at start-up); a malformed OTEL_* variable is reported on
 * the diag channel and ignored. After that nothing the logger does throws into the application.
 */
export async function configureLogger(options: ConfigureOptions = {}): Promise<Logger> {
  // Synchronous up to Channels.open: the instrumentations patch libraries before the app loads them (zero-code
  // start, --require). Spans that end meanwhile wait in `pending` and reach the backends once they are open.
  const registry = options.registry ?? defaultRegistry;
  const { config, diag, read, otelEnv } = readConfiguration(options, registry);
  const lc = config.logger;
  if (lc.disabled) {
    diag.debug('the SDK is disabled (OTEL_SDK_DISABLED or logger.disabled): the logger does nothing');
    return createDisabledLogger(diag);
  }
  const registerGlobal = options.registerGlobal ?? lc.tracing.register_global;
  const resource = buildResource({ serviceName: lc.service_name, serviceVersion: lc.service_version, environment: lc.environment }, lc.resource_attributes);
  const scope = { name: 'isotel', version: SDK_VERSION };
  const pending = new PendingTarget(lc.queue.max_records, (n) => diag.count('records.dropped_before_open', n));
  const buffer = new RecordBuffer(pending, lc.queue.batch_size);
  const settings = settingsFrom(lc);
  const core: LoggerCore = { settings, resource, scope, clock: options.clock ?? systemClock, newId: createRecordIdGenerator(), diag, count: (name, n) => diag.count(name, n), buffer, closed: false };
  const onSpan = (span: SpanSource) => core.closed || buffer.pushSpan(span);
  const onPoints = (points: MetricPoint[]) => core.closed || buffer.pushMetrics(points);
  const tracing = startTracing({ config: lc.tracing, metrics: lc.metrics, resource, scope, registerGlobal, core, diag, onSpan, onPoints, sampler: buildSampler(lc.tracing), limits: settings.limits });
  // After the tracer provider: the API reports a provider already registered as an error, which isotel expects and handles.
  const detachApiDiag = registerGlobal && otelEnv.logLevel ? attachApiDiag(options.diagSink ?? diagSinkFor(otelEnv.logLevel), otelEnv.logLevel) : () => {};
  const channels = await Channels.open(lc, registry, diag).catch(async (err: unknown) => {
    await tracing.shutdown();
    detachApiDiag();
    throw err;
  });
  buffer.retarget(channels.fanOut);
  pending.replayInto(channels.fanOut);
  await tracing.ready;

  let reloading: Promise<void> = Promise.resolve();
  const reload = (next: LoggerConfig) => (reloading = reloading.then(() => applyReload(core, channels, buffer, tracing, next)));
  const rejected = (err: Error) => diag.error(`config reload rejected, keeping the running configuration: ${err.message}`);
  const watcher = options.configFile && options.watch !== false ? watchConfigFile(options.configFile, (next) => void reload(next.logger), rejected, read) : undefined;

  const flush = async (): Promise<void> => {
    try {
      await reloading;
      await tracing.flushMetrics();
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
      await tracing.shutdown();
      detachApiDiag();
      await flush();
      core.closed = true;
      await channels.fanOut.close().catch((err: unknown) => diag.error('close failed', err));
    })());
  const removeHooks = options.exitHooks === false ? () => {} : installExitHooks(flush, diag);
  return createLogger(core, { tracer: tracing.tracer, health: () => channels.health(diag.counters()), flush, close });
}

/**
 * Records buffered for the old backends go there first; then new records flow to the new set, under the new
 * settings from the same record on (opening backends takes a while: a file writer thread starts).
 */
async function applyReload(core: LoggerCore, channels: Channels, buffer: RecordBuffer, tracing: StartedTracing, next: LoggerConfig): Promise<void> {
  if (core.closed) return;
  tracing.reconfigure(next.tracing, buildSampler(next.tracing));
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

/** The configuration's layers (code > OTEL_* > file > defaults), read synchronously, and the diag channel. */
function readConfiguration(options: ConfigureOptions, registry: BackendRegistry) {
  const env = options.env ?? process.env;
  const otelEnv = readOtelEnv(env);
  const diag = createDiag(options.diagSink ?? diagSinkFor(otelEnv.logLevel));
  reportEnvProblems(otelEnv, diag);
  const read = { env, knownBackendTypes: registry.types(), layers: configLayers(otelEnv, options.config) };
  const config: IsotelConfig = options.configFile ? loadConfigFileSync(options.configFile, read) : parseConfigObject({ logger: {} }, read);
  return { config, diag, read, otelEnv };
}

/** Over the file (or the defaults): the OTEL_* variables, then the code's `config`, each winning over the one before. */
function configLayers(otelEnv: OtelEnv, code: unknown): ConfigLayer[] {
  const layers: ConfigLayer[] = [{ value: otelEnv.layer, substitute: false }];
  if (code !== undefined) layers.push({ value: code, substitute: true });
  return layers;
}

function reportEnvProblems(otelEnv: OtelEnv, diag: Diag): void {
  for (const problem of otelEnv.problems) {
    diag.count('config.env_ignored');
    diag.warn(problem);
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
