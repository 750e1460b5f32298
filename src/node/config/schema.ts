import { z } from 'zod';
import { compilePattern, DEFAULT_REPLACEMENT } from '../../shared/redact.js';
import { describeIssue } from './errors.js';
import { strict } from './strict.js';
import { TracingSchema } from './tracing-schema.js';
import { MetricsSchema } from './metrics-schema.js';
import { OtlpExportSchema, type OtlpExportConfig } from './otlp-export-schema.js';
import { KafkaSectionSchema } from './kafka-schema.js';
import {
  BUILTIN_BACKEND_SCHEMAS,
  BUILTIN_BACKEND_TYPES,
  spansFileFor,
  type BackendConfig,
  type BuiltinBackendType,
} from './backend-schemas.js';

/**
 * The YAML schema: the original framework's `logger:` section (service_name, service_version, log_level,
 * enable_console, backends: [{backend_type, config}]) plus isotel's additions and an `ingest:` section.
 * Unknown keys are errors everywhere except inside a custom backend's config.
 */

const LEVEL_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'CRITICAL', 'FATAL'] as const;
export type LogLevelName = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
const LEVEL_ALIASES: Readonly<Record<string, LogLevelName>> = { WARNING: 'WARN', CRITICAL: 'FATAL' };

/** Case-insensitive; WARNING → WARN and CRITICAL → FATAL (the original framework's names). */
const LogLevelSchema = z
  .string()
  .refine((s) => (LEVEL_NAMES as readonly string[]).includes(s.trim().toUpperCase()), {
    error: (iss) => `expected one of ${LEVEL_NAMES.join(', ')} (any case), got ${JSON.stringify(iss.input)}`,
  })
  .transform((s): LogLevelName => {
    const up = s.trim().toUpperCase();
    return LEVEL_ALIASES[up] ?? (up as LogLevelName);
  })
  .meta({ anyOf: [{ enum: [...LEVEL_NAMES] }, { type: 'string', pattern: caseInsensitive(LEVEL_NAMES) }] });

function caseInsensitive(words: readonly string[]): string {
  const alt = words.map((w) => [...w].map((c) => `[${c}${c.toLowerCase()}]`).join(''));
  return `^(?:${alt.join('|')})$`;
}

const regexSource = z.string().superRefine((s, ctx) => {
  try {
    compilePattern(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const RedactSchema = strict({
  keys: z.array(z.string().min(1)).default([]).describe('Secret key names added to the built-in list (case-insensitive, word parts).'),
  patterns: z.array(regexSource).default([]).describe('Regular expressions added to the built-in ones; matches are replaced.'),
  replacement: z.string().default(DEFAULT_REPLACEMENT),
  use_defaults: z.boolean().default(true).describe('Apply the built-in secret keys and patterns.'),
});

/**
 * The ingest's redaction builds on the logger's: its keys and patterns are added to the logger's, and its
 * replacement and use_defaults, when set, override the logger's (unset, the logger's apply).
 */
const IngestRedactSchema = strict({
  keys: z.array(z.string().min(1)).default([]).describe("Secret key names added to the logger's (and the built-in list) for ingested records."),
  patterns: z.array(regexSource).default([]).describe("Regular expressions added to the logger's (and the built-in ones) for ingested records."),
  replacement: z.string().optional().describe("Overrides logger.redact.replacement for ingested records."),
  use_defaults: z.boolean().optional().describe('Overrides logger.redact.use_defaults for ingested records.'),
});

const LimitsSchema = strict({
  max_attribute_value_length: z.int().min(16).default(16_384).describe('Longer string values are truncated.'),
  max_attributes: z.int().min(1).default(128).describe('Attributes beyond this count are dropped (and counted).'),
  max_body_length: z.int().min(16).default(65_536).describe('Longer bodies are truncated.'),
  max_depth: z.int().min(1).max(32).default(8).describe('Deeper nesting is replaced by a placeholder.'),
});

const QueueSchema = strict({
  max_records: z.int().positive().default(100_000).describe('Records handed to the delivery engine and not yet on disk; beyond it new records are dropped (counted in health()).'),
  max_disk_bytes: z.int().min(65_536).default(1_073_741_824).describe("Byte budget of the durable log under data_dir that network backends' records wait in."),
  overflow: z
    .enum(['drop_newest', 'drop_oldest', 'spill_to_disk'])
    .default('drop_newest')
    .transform((v): 'drop_newest' | 'drop_oldest' => (v === 'spill_to_disk' ? 'drop_newest' : v))
    .describe('When the durable log is full: drop_newest refuses new records, drop_oldest gives up the oldest segment; both are counted in health(). spill_to_disk (earlier versions) means drop_newest: every record is on disk first now.'),
  batch_size: z.int().positive().default(1000).describe('Records per backend write, unless the backend sets its own batch_size.'),
});

const DedupeSchema = strict({
  max_ids: z
    .int()
    .min(0)
    .default(100_000)
    .describe('Record ids remembered at most (86 to 111 bytes each, measured: 100,000 take at most ~11 MB). 0 turns the window off.'),
  window_seconds: z
    .int()
    .min(0)
    .default(3600)
    .describe('How long an accepted id is remembered: a record re-sent within it is not stored again. 0 turns the window off.'),
}).describe('Records whose id the ingest accepted recently are not written again (re-sent requests, beacons replayed on the next visit).');

const origin = z.string().refine((s) => s === '*' || /^https?:\/\/[^/\s?#]+$/.test(s), {
  error: 'expected an origin like https://app.example.com (scheme, host and port; no path or trailing slash) or *',
});

const IngestSchema = strict({
  port: z.int().min(0).max(65_535).default(4318),
  host: z.string().min(1).default('127.0.0.1'),
  cors_allowed_origins: z.array(origin).default([]).describe('Browser origins allowed to send (CORS).'),
  ingest_keys: z.array(z.string().min(1)).default([]).describe('When set, requests must carry one of these keys.'),
  read_key: z
    .string()
    .regex(/^\S+$/, { error: 'expected a key without spaces (it is sent as Authorization: Bearer <key>)' })
    .optional()
    .describe(
      'When set, the read routes (the query API /api/*, GET /v1/traces and /v1/traces/{id}) require it, as Authorization: Bearer <key> or ' +
        'the x-isotel-read-key header. A key of its own: an ingest key does not open them, nor does this key allow sending. Use $VAR to take it from the environment.',
    ),
  max_body_bytes: z.int().positive().default(5_242_880).describe('Larger requests get 413.'),
  request_timeout: z
    .number()
    .positive()
    .max(3600)
    .default(30)
    .describe('Seconds a request may take to arrive, headers and body; a slower one (a slowloris) gets 408 and its connection is closed.'),
  rate_limit: strict({
    records_per_second: z.number().positive().default(2000),
    burst: z.int().positive().default(10_000),
  }).prefault({}),
  wal_dir: z.string().min(1).default('./data/wal'),
  wal_max_bytes: z.int().positive().default(1_073_741_824).describe('Beyond this the ingest answers 503.'),
  dedupe: DedupeSchema.prefault({}),
  query_backend: z.string().min(1).optional().describe('Name or backend_type of the backend GET /v1/traces/{id}, the Jaeger query API and the logs query (/api/*) read from.'),
  redact: IngestRedactSchema.prefault({}),
  limits: LimitsSchema.prefault({}),
  trust_proxy: z.boolean().default(false).describe('Take the client address from X-Forwarded-For.'),
  record_client_address: z.boolean().default(false).describe('Store the client address on records (personal data).'),
})
  .superRefine((ingest, ctx) => {
    if (ingest.read_key === undefined || !ingest.ingest_keys.includes(ingest.read_key)) return;
    ctx.addIssue({ code: 'custom', path: ['read_key'], message: 'must differ from every ingest_keys entry (a sender must not be able to read, nor a reader send)' });
  })
  .describe('The OTLP/HTTP ingest route (isotel serve).');

export interface SchemaOptions {
  /** Backend types with a registered factory: the built-ins plus the user's own. */
  knownBackendTypes?: ReadonlySet<string>;
  /** `logger.environment` when the file sets none (the loader passes NODE_ENV). */
  defaultEnvironment?: string;
  /** Build the editor-facing variant: backends as a union per type, for the JSON schema. */
  documentation?: boolean;
}

function backendEntrySchema(known: ReadonlySet<string>): z.ZodType<BackendConfig> {
  const knownList = [...new Set([...BUILTIN_BACKEND_TYPES, ...known])].join(', ');
  return strict({
    backend_type: z.string().min(1),
    name: z.string().min(1).optional(),
    config: z.record(z.string(), z.unknown()).prefault({}),
  }).transform((entry, ctx): BackendConfig => {
    const type = entry.backend_type;
    if (!Object.hasOwn(BUILTIN_BACKEND_SCHEMAS, type)) {
      if (!known.has(type)) {
        ctx.addIssue({ code: 'custom', path: ['backend_type'], message: `unknown backend type "${type}" (known: ${knownList})` });
        return z.NEVER;
      }
      return withName({ backend_type: type, config: entry.config }, entry.name);
    }
    const parsed = BUILTIN_BACKEND_SCHEMAS[type as BuiltinBackendType].safeParse(entry.config, { reportInput: true });
    if (!parsed.success) {
      for (const raw of parsed.error.issues.flatMap(describeIssue)) {
        ctx.addIssue({ code: 'custom', path: ['config', ...raw.segments], message: raw.message, params: { isotel: { expected: raw.expected } } });
      }
      return z.NEVER;
    }
    return withName({ backend_type: type, config: parsed.data } as BackendConfig, entry.name);
  });
}

function withName(b: BackendConfig, name: string | undefined): BackendConfig {
  return name === undefined ? b : { ...b, name };
}

/** Per-type entries for editors: `backend_type: filesystem` completes filesystem's config keys. */
function documentedBackendEntry(): z.ZodType<BackendConfig> {
  const typed = Object.entries(BUILTIN_BACKEND_SCHEMAS).map(([type, config]) =>
    strict({ backend_type: z.literal(type), name: z.string().min(1).optional(), config }),
  );
  const custom = strict({
    backend_type: z
      .string()
      .min(1)
      .meta({ not: { enum: [...BUILTIN_BACKEND_TYPES] } })
      .describe('A backend type registered with registerBackend().'),
    name: z.string().min(1).optional(),
    config: z.record(z.string(), z.unknown()).prefault({}),
  });
  // Only toJSONSchema reads this variant; its output has the shape of BackendConfig.
  return z.union([...typed, custom]) as unknown as z.ZodType<BackendConfig>;
}

function loggerSchema(opts: SchemaOptions) {
  const entry: z.ZodType<BackendConfig> = opts.documentation ? documentedBackendEntry() : backendEntrySchema(opts.knownBackendTypes ?? BUILTIN_BACKEND_TYPES);
  return strict({
    service_name: z.string().min(1).default('isotel-service').describe('service.name of every record.'),
    service_version: z.string().min(1).default('1.0.0').describe('service.version of every record.'),
    environment: z
      .string()
      .min(1)
      .default(opts.defaultEnvironment ?? 'development')
      .describe('deployment.environment.name (default: NODE_ENV, else development).'),
    // prefault, not default: toJSONSchema omits a transformed value's default but shows a prefault.
    resource_attributes: z
      .record(z.string().min(1), z.string())
      .default({})
      .describe('More resource attributes on every record and span (OTEL_RESOURCE_ATTRIBUTES), e.g. service.namespace, k8s.pod.name.'),
    disabled: z
      .boolean()
      .default(false)
      .describe('Turn the SDK off: the logger is a no-op, no backend is opened, nothing is registered (OTEL_SDK_DISABLED).'),
    log_level: LogLevelSchema.prefault('INFO').meta({
      description: 'Minimum level: TRACE, DEBUG, INFO, WARN, ERROR, FATAL (WARNING and CRITICAL accepted; any case).',
    }),
    enable_console: z.boolean().default(true).describe('Also print records to the console.'),
    console_format: z.enum(['pretty', 'json']).default('pretty'),
    queue: QueueSchema.prefault({}),
    limits: LimitsSchema.prefault({}),
    redact: RedactSchema.prefault({}),
    tracing: TracingSchema.prefault({}),
    metrics: MetricsSchema.prefault({}),
    otlp_export: OtlpExportSchema.prefault({}),
    data_dir: z.string().min(1).default('./data').describe('Fallback files, dead letters and delivery cursors.'),
    backends: z
      .array(entry)
      .default([])
      .describe('Where records go; default: one filesystem backend at ./logs/<service_name>.jsonl.')
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((b, i) => {
          if (b.name === undefined) return;
          if (seen.has(b.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate backend name "${b.name}"` });
          seen.add(b.name);
        });
      }),
  })
    .describe('The logger (the original framework’s logger: section).')
    .transform((l) => ({ ...l, backends: withOtlpExport(l.backends.length > 0 ? l.backends : l.otlp_export.endpoint ? [] : [defaultBackend(l.service_name)], l.otlp_export) }));
}

/**
 * `otlp_export.endpoint` (OTEL_EXPORTER_OTLP_ENDPOINT) adds an `otlp` backend with its headers, unless one to
 * that endpoint is configured already; with no other backend configured it is the only one (as with an
 * OpenTelemetry SDK), else records go to both.
 */
function withOtlpExport(backends: BackendConfig[], exp: OtlpExportConfig): BackendConfig[] {
  const endpoint = exp.endpoint;
  if (!endpoint || backends.some((b) => b.backend_type === 'otlp' && (b.config as { endpoint?: string }).endpoint === endpoint)) return backends;
  return [...backends, { backend_type: 'otlp', name: 'otlp_export', config: BUILTIN_BACKEND_SCHEMAS.otlp.parse({ endpoint, headers: exp.headers, protocol: exp.protocol, compression: exp.compression }) }];
}

function defaultBackend(serviceName: string): BackendConfig {
  const logFile = `./logs/${serviceName.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`;
  const config = BUILTIN_BACKEND_SCHEMAS.filesystem.parse({ log_file: logFile, spans_file: spansFileFor(logFile) });
  return { backend_type: 'filesystem', config };
}

export function buildConfigSchema(opts: SchemaOptions = {}) {
  return strict({
    $schema: z.string().optional().describe('The JSON schema this file follows (for editors).'),
    logger: loggerSchema(opts),
    ingest: IngestSchema.prefault({}),
    kafka: KafkaSectionSchema.prefault({}),
  })
    .meta({ title: 'isotel configuration', description: 'isotel logger and ingest configuration (YAML).' })
    .superRefine((cfg, ctx) => {
      const wanted = cfg.ingest.query_backend;
      if (wanted === undefined) return;
      const backends = cfg.logger.backends;
      if (backends.some((b) => b.name === wanted || b.backend_type === wanted)) return;
      const names = backends.map((b) => b.name ?? b.backend_type).join(', ');
      ctx.addIssue({
        code: 'custom',
        path: ['ingest', 'query_backend'],
        message: `no configured backend is named or typed "${wanted}" (configured: ${names})`,
      });
    });
}

const referenceSchema = buildConfigSchema();

export type IsotelConfig = z.output<typeof referenceSchema>;
export type LoggerConfig = IsotelConfig['logger'];
export type IngestConfig = IsotelConfig['ingest'];
export type KafkaConfig = IsotelConfig['kafka'];
export type QueueConfig = LoggerConfig['queue'];
export type LimitsConfig = LoggerConfig['limits'];
export type RedactConfig = LoggerConfig['redact'];
export type { TracingConfig, SamplerName, PropagatorName, InstrumentationName } from './tracing-schema.js';
export type { OtlpExportConfig } from './otlp-export-schema.js';
export type { MetricsConfig, ViewConfig } from './metrics-schema.js';
export { SAMPLERS, PROPAGATORS, INSTRUMENTATIONS } from './tracing-schema.js';
