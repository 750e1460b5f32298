import { z } from 'zod';
import { strict } from './strict.js';
import { defaultMetricsFile } from '../backends/filesystem/metric-lines.js';
import { kafkaBackendFields } from './kafka-schema.js';

/**
 * The `config:` of each built-in backend type (the original framework's keys, plus what isotel adds).
 * Durations are in seconds, as in the original YAML.
 */

/** Delivery settings every backend accepts: retry with backoff, then a circuit breaker. */
function commonFields(retryDelay: number) {
  return {
    max_retries: z.int().min(0).default(3).describe('Retries of a failed batch before the circuit breaker counts a failure.'),
    retry_delay: z.number().min(0).default(retryDelay).describe('Seconds before the first retry; doubles on each retry.'),
    circuit_breaker_threshold: z.int().min(1).default(5).describe('Consecutive failures that open the circuit breaker.'),
    circuit_breaker_timeout: z.number().positive().default(60).describe('Seconds the breaker stays open before a trial write.'),
    health_check_interval: z.number().positive().default(30).describe('Seconds between health probes while the backend is failing.'),
  };
}

/** `./logs/app.jsonl` → `./logs/app.spans.jsonl`; other names get `.spans.jsonl` appended. */
export function spansFileFor(logFile: string): string {
  return logFile.endsWith('.jsonl') ? `${logFile.slice(0, -'.jsonl'.length)}.spans.jsonl` : `${logFile}.spans.jsonl`;
}

export const FilesystemConfigSchema = strict({
  log_file: z.string().min(1).describe('JSONL file for log records, e.g. ./logs/my-service.jsonl.'),
  spans_file: z.string().min(1).optional().describe('JSONL file for spans (default: log_file with .spans.jsonl).'),
  metrics_file: z.string().min(1).optional().describe('JSONL file for metric points, one per line (default: log_file with .metrics.jsonl).'),
  max_bytes: z.int().positive().default(10_485_760).describe('Rotate when the file reaches this size (bytes).'),
  backup_count: z.int().min(0).default(5).describe('Rotated files kept (app.jsonl.1 … app.jsonl.N).'),
  ...commonFields(1),
})
  .describe('Rotating JSONL files.')
  .transform((c) => ({ ...c, spans_file: c.spans_file ?? spansFileFor(c.log_file), metrics_file: c.metrics_file ?? defaultMetricsFile(c.log_file) }));

/** Index names are lowercase and exclude `\ / * ? " < > | , #` and spaces; `%Y %m %d %H` are date fields. */
const indexPattern = (fallback: string) =>
  z
    .string()
    .refine((s) => /^[a-z0-9][a-z0-9._+-]*$/.test(s.replace(/%[YmdHjU]/g, '0')), {
      error: 'an Elasticsearch index name must be lowercase letters, digits, . _ + - and %Y %m %d %H date fields',
    })
    .default(fallback);

export const ElasticsearchConfigSchema = strict({
  hosts: z
    .array(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://localhost:9200' }))
    .min(1)
    .describe('Elasticsearch node URLs.'),
  index_pattern: indexPattern('logs-isotel-%Y.%m.%d').describe('Index for log records; %Y %m %d are the UTC date.'),
  span_index_pattern: indexPattern('traces-isotel-%Y.%m.%d').describe('Index for spans.'),
  metric_data_stream: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._+-]*$/, 'must be a lowercase index name')
    .optional()
    .describe('Data stream for metric points (the Collector otel mapping); default metrics-<template_name>-default, e.g. metrics-isotel-default.'),
  basic_auth: z.tuple([z.string(), z.string()]).optional().describe('[user, password].'),
  api_key: z.string().min(1).optional().describe('API key (base64 id:key), instead of basic_auth.'),
  ca_certs: z.string().min(1).optional().describe('Path to the CA certificate (PEM) of the cluster.'),
  verify_certs: z.boolean().default(true).describe('Verify the server certificate.'),
  timeout: z.number().positive().default(30).describe('Request timeout in seconds.'),
  batch_size: z.int().positive().default(1000).describe('Records per _bulk request.'),
  max_workers: z.int().positive().optional().describe('Accepted for compatibility with the original framework; ignored.'),
  template_name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/).default('isotel').describe('Name prefix of the index templates isotel installs.'),
  refresh: z.boolean().default(false).describe('Refresh after each bulk write (tests and demos; slower).'),
  ...commonFields(2),
}).describe('Elasticsearch (_bulk create, idempotent on the record id).');

const identifier = (fallback: string) =>
  z
    .string()
    .regex(/^(?:[A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$/, {
      error: 'expected a table name: letters, digits and _, optionally schema-qualified (logs.otel_logs)',
    })
    .default(fallback);

export const PostgresConfigSchema = strict({
  host: z.string().min(1).default('localhost'),
  port: z.int().min(1).max(65_535).default(5432),
  database: z.string().min(1).describe('Database name.'),
  user: z.string().min(1).default('postgres'),
  password: z.string().optional(),
  table_name: identifier('otel_logs').describe('Table for log records (created if missing).'),
  spans_table_name: identifier('otel_spans').describe('Table for spans (created if missing).'),
  metrics_table_name: identifier('metric_points').describe('Table for metric points, one row per data point (created if missing).'),
  ssl: z
    .union([z.boolean(), strict({ ca: z.string().optional(), rejectUnauthorized: z.boolean().optional() })], {
      error: 'expected true, false or { ca, rejectUnauthorized }',
    })
    .default(false)
    .describe('TLS: true, or { ca: <PEM path or text>, rejectUnauthorized }.'),
  schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/).default('public').describe('Schema of the tables.'),
  pool_size: z.int().positive().default(4).describe('Connections in the pool.'),
  connect_timeout_ms: z.int().positive().default(5000).describe('Connection timeout in milliseconds.'),
  statement_timeout_ms: z.int().positive().default(30_000).describe('Statement timeout in milliseconds.'),
  batch_size: z.int().positive().default(1000).describe('Records per COPY/INSERT.'),
  ...commonFields(1),
}).describe('PostgreSQL (tables otel_logs and otel_spans, idempotent on the record id).');

export const OtlpConfigSchema = strict({
  endpoint: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://collector:4318 (the paths /v1/logs and /v1/traces are appended)' })
    .describe('OTLP/HTTP receiver base URL; logs go to <endpoint>/v1/logs, spans to <endpoint>/v1/traces.'),
  headers: z.record(z.string(), z.string()).default({}).describe('Request headers, e.g. an ingest key or authorization.'),
  timeout: z.number().positive().default(10).describe('Request timeout in seconds.'),
  compression: z.enum(['none', 'gzip']).default('none').describe('Request body compression.'),
  protocol: z
    .enum(['http/protobuf', 'http/json'], { error: 'expected http/protobuf or http/json (OTLP over gRPC is not supported: use the receiver\'s OTLP/HTTP port, 4318 by default)' })
    .default('http/protobuf')
    .describe('Request encoding: OTLP protobuf (the OTLP default, OTEL_EXPORTER_OTLP_PROTOCOL) or OTLP JSON.'),
  batch_size: z.int().positive().default(1000).describe('Records per request.'),
  ...commonFields(1),
}).describe('OTLP/HTTP onward, protobuf or JSON (an OpenTelemetry Collector, Tempo, Loki, Jaeger, another isotel serve).');

export const KafkaConfigSchema = strict(kafkaBackendFields(commonFields(1))).describe(
  'Kafka: each batch produced as OTLP protobuf messages to the Collector-layout topics (idempotent producer, acks=all).',
);

export const PrometheusConfigSchema = strict({
  port: z.int().min(1).max(65535).describe('Port of the scrape endpoint (http://<host>:<port>/metrics).'),
  host: z.string().min(1).default('127.0.0.1').describe('Address the scrape endpoint listens on (0.0.0.0 for a Prometheus on another host).'),
  max_series: z.int().positive().default(10_000).describe('Series kept at most; a point of a new series beyond it is refused (dead-lettered, counted as prometheus.series_dropped).'),
  stale_after: z.number().min(0).default(300).describe('Seconds after which a series that received no point is forgotten (0: never).'),
  ...commonFields(1),
}).describe('Prometheus scrape endpoint: received metric points aggregated into series (metric points only).');

export const BUILTIN_BACKEND_SCHEMAS = {
  filesystem: FilesystemConfigSchema,
  elasticsearch: ElasticsearchConfigSchema,
  postgres: PostgresConfigSchema,
  otlp: OtlpConfigSchema,
  kafka: KafkaConfigSchema,
  prometheus: PrometheusConfigSchema,
} as const;

export type BuiltinBackendType = keyof typeof BUILTIN_BACKEND_SCHEMAS;
export const BUILTIN_BACKEND_TYPES: ReadonlySet<string> = new Set(Object.keys(BUILTIN_BACKEND_SCHEMAS));

export type FilesystemBackendConfig = z.output<typeof FilesystemConfigSchema>;
export type ElasticsearchBackendConfig = z.output<typeof ElasticsearchConfigSchema>;
export type PostgresBackendConfig = z.output<typeof PostgresConfigSchema>;
export type OtlpBackendConfig = z.output<typeof OtlpConfigSchema>;
export type KafkaBackendConfig = z.output<typeof KafkaConfigSchema>;
export type PrometheusBackendConfig = z.output<typeof PrometheusConfigSchema>;

export type BackendConfig =
  | { backend_type: 'filesystem'; name?: string; config: FilesystemBackendConfig }
  | { backend_type: 'elasticsearch'; name?: string; config: ElasticsearchBackendConfig }
  | { backend_type: 'postgres'; name?: string; config: PostgresBackendConfig }
  | { backend_type: 'otlp'; name?: string; config: OtlpBackendConfig }
  | { backend_type: 'kafka'; name?: string; config: KafkaBackendConfig }
  | { backend_type: 'prometheus'; name?: string; config: PrometheusBackendConfig }
  | CustomBackendConfig;

/** A registered custom `backend_type`: its config is passed to its factory as written. */
export interface CustomBackendConfig {
  backend_type: string;
  name?: string;
  config: Record<string, unknown>;
}
