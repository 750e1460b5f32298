import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { createDiag, type Diag, type DiagSink } from '../shared/diag.js';
import { defaultRegistry, defaultSpansFile, isBuiltinBackend, isFileOpen, loadConfigFile, openBackends, parseConfigObject, type BackendEntry, type BackendRegistry, type IngestConfig, type IsotelConfig } from '../node/engine/index.js';
import { openRuntime, type IngestHealth, type IngestRuntime } from './runtime.js';
import { dispatchWorkerScript } from './dispatch-thread.js';
import { createRequestListener } from './handler.js';
import type { DedupeStats } from './dedupe.js';
import { createIngestRedactor } from './redaction.js';
import type { Redactor } from '../shared/redact.js';
import { startKafkaWriter, type KafkaWriter, type KafkaWriterHealth, type KafkaWriterOptions } from './kafka-writer.js';
import { openKafkaIngestRuntime, type KafkaIngestHealth } from './kafka-ingest.js';

type KafkaIngestRuntime = Awaited<ReturnType<typeof openKafkaIngestRuntime>>;

export interface IngestHandlerOptions {
  /** The YAML file: the logger's `backends:` are where records go; `ingest:` configures the route. */
  configFile?: string;
  /** The same as an object: `{ logger: {...}, ingest: {...} }`. */
  config?: unknown;
  registry?: BackendRegistry;
  diagSink?: DiagSink;
  env?: NodeJS.ProcessEnv;
  /** Clock for receive times and rate limits (tests). */
  now?: () => number;
  /**
   * `all` (default): records come in over HTTP. `writer`: also a member of the Kafka consumer group of the
   * `kafka:` section, appending what it reads to the same write-ahead log. `ingest`: no log and no backends;
   * each request's records are produced to Kafka and the answer waits for its acknowledgment
   * (docs/scaling-out.md).
   */
  role?: 'all' | 'writer' | 'ingest';
}

export interface IngestHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  readonly config: IsotelConfig;
  /** The engine's health and the dedupe window's (ids held, duplicates dropped). */
  health(): IngestHealth & { dedupe: DedupeStats; kafka_writer?: KafkaWriterHealth; kafka_ingest?: KafkaIngestHealth };
  /** Resolves true when every backend has delivered everything accepted so far (false on timeout). */
  drain(timeoutMs?: number): Promise<boolean>;
  /** Stops the dispatchers, closes the write-ahead log and the backends. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the write-ahead log and the backends and returns the ingest route as a node:http handler:
 * `http.createServer(await createIngestHandler({ configFile: 'isotel.yaml' }))`.
 * Configuration errors reject here, with the field named; after that no request can throw out of it.
 */
export async function createIngestHandler(options: IngestHandlerOptions = {}): Promise<IngestHandler> {
  const registry = options.registry ?? defaultRegistry;
  const env = options.env ?? process.env;
  const known = registry.types();
  const config = options.configFile
    ? await loadConfigFile(options.configFile, { env, knownBackendTypes: known })
    : parseConfigObject(options.config ?? { logger: {} }, { env, knownBackendTypes: known });
  const ingest: IngestConfig = config.ingest ?? parseConfigObject({ logger: {}, ingest: {} }, { env, knownBackendTypes: known }).ingest!;
  const diag = createDiag(options.diagSink);
  const lc = config.logger;
  if ((options.role === 'writer' || options.role === 'ingest') && config.kafka.brokers.length === 0) {
    throw new Error(`kafka.brokers: --role ${options.role} needs at least one broker (host:port) in the kafka: section`);
  }
  const redactor = createIngestRedactor(lc.redact, ingest.redact);
  let kafkaIngest: KafkaIngestRuntime | undefined;
  let runtime: IngestRuntime;
  if (options.role === 'ingest') runtime = kafkaIngest = await openKafkaIngestRuntime({ kafka: config.kafka, redactor, diag });
  else runtime = await openLocalRuntime(config, ingest, registry, env, redactor, diag);
  let writer: KafkaWriter | undefined;
  const { listener, health, append } = createRequestListener(runtime, {
    corsAllowedOrigins: ingest.cors_allowed_origins,
    readKey: ingest.read_key,
    ingestKeys: ingest.ingest_keys,
    maxBodyBytes: ingest.max_body_bytes,
    requestTimeoutMs: ingest.request_timeout * 1000,
    rateLimit: ingest.rate_limit,
    limits: {
      maxAttributes: ingest.limits.max_attributes,
      maxAttributeValueLength: ingest.limits.max_attribute_value_length,
      maxBodyLength: ingest.limits.max_body_length,
      maxDepth: ingest.limits.max_depth,
    },
    trustProxy: ingest.trust_proxy,
    recordClientAddress: ingest.record_client_address,
    skewThresholdMs: 1000,
    dedupe: { maxIds: ingest.dedupe.max_ids, windowSeconds: ingest.dedupe.window_seconds },
    now: options.now,
    extraHealth: () => ({ ...(writer ? { kafka_writer: writer.health() } : {}), ...(kafkaIngest ? { kafka_ingest: kafkaIngest.kafkaHealth() } : {}) }),
    extraMetrics: () => writer?.metricsText() ?? '',
  });
  writer = options.role === 'writer' ? await openWriter(config, ingest, { append, close: () => runtime.close() }, redactor, diag) : undefined;
  const handler = ((req: IncomingMessage, res: ServerResponse) => listener(req, res)) as IngestHandler;
  Object.defineProperty(handler, 'config', { value: config });
  handler.health = health;
  handler.drain = (timeoutMs) => runtime.dispatcher.drain(timeoutMs);
  let closing: Promise<void> | undefined;
  handler.close = () =>
    (closing ??= (async () => {
      await writer?.close();
      await runtime.close();
    })());
  return handler;
}

/** The write-ahead log and the backends of `logger.backends`, in a dispatch worker thread when they can run there. */
async function openLocalRuntime(config: IsotelConfig, ingest: IngestConfig, registry: BackendRegistry, env: NodeJS.ProcessEnv, redactor: Redactor, diag: Diag): Promise<IngestRuntime> {
  const lc = config.logger;
  const base = { walDir: path.resolve(ingest.wal_dir), walMaxBytes: ingest.wal_max_bytes, dataDir: path.resolve(lc.data_dir), queryBackend: ingest.query_backend, redactor, diag, batchSize: lc.queue.batch_size };
  const script = workerScript(lc.backends, registry, env);
  if (script) return openRuntime({ ...base, worker: { script, entries: lc.backends } });
  const opened = await openBackends(lc.backends, lc.data_dir, registry, diag);
  return openRuntime({ ...base, backends: opened }).catch(async (err: unknown) => {
    await Promise.all(opened.map((o) => o.backend.close().catch(() => undefined)));
    throw err;
  });
}

/** `--role writer`: the Kafka consumer appending to this runtime's log, with the HTTP route's decode limits. */
async function openWriter(config: IsotelConfig, ingest: IngestConfig, log: { append: KafkaWriterOptions['append']; close(): Promise<void> }, redactor: Redactor, diag: Diag): Promise<KafkaWriter> {
  const l = ingest.limits;
  const limits = { maxAttributes: l.max_attributes, maxAttributeValueLength: l.max_attribute_value_length, maxBodyLength: l.max_body_length, maxDepth: l.max_depth };
  return startKafkaWriter({ kafka: config.kafka, append: log.append, limits, enrich: { skewThresholdMs: 1000, redactor }, diag }).catch(async (err: unknown) => {
    await log.close();
    throw err;
  });
}

/**
 * The dispatch worker's script when the backends can run there: built-in types only (a user's factory cannot
 * cross threads), a configuration that can be copied to it, no JSONL file that a backend of this thread
 * (the host's logger) already writes, and not turned off with ISOTEL_INGEST_WORKER=0.
 */
function workerScript(entries: readonly BackendEntry[], registry: BackendRegistry, env: NodeJS.ProcessEnv): URL | undefined {
  if (env.ISOTEL_INGEST_WORKER === '0') return undefined;
  if (!entries.every((e) => isBuiltinBackend(registry.get(e.backend_type)))) return undefined;
  if (entries.some((e) => e.backend_type === 'filesystem' && jsonlFiles(e.config).some(isFileOpen))) return undefined;
  try {
    structuredClone(entries);
  } catch {
    return undefined;
  }
  return dispatchWorkerScript();
}

function jsonlFiles(config: unknown): string[] {
  const c = (config ?? {}) as { log_file?: unknown; spans_file?: unknown };
  if (typeof c.log_file !== 'string') return [];
  return [c.log_file, typeof c.spans_file === 'string' ? c.spans_file : defaultSpansFile(c.log_file)];
}
