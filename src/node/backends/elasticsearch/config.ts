/**
 * `backend_type: elasticsearch` configuration, with the YAML's snake_case keys (the original framework's
 * keys plus isotel's). The zod schema of the config loader validates the same keys; `resolveConfig`
 * checks them again so the factory can be called directly, and fills in defaults.
 */
export interface ElasticsearchBackendConfig {
  /** e.g. `["https://localhost:9200"]`. Required. */
  hosts: string[];
  /** strftime pattern filled from each record's timestamp (UTC). Default `logs-isotel-%Y.%m.%d`. */
  index_pattern?: string;
  /** Default `traces-isotel-%Y.%m.%d`. */
  span_index_pattern?: string;
  /**
   * The data stream metric points go to (type-dataset-namespace). Default `metrics-<template_name>-default`
   * (`metrics-isotel-default`): two deployments with their own template names then never install two templates
   * of one priority for one data stream, which Elasticsearch refuses.
   */
  metric_data_stream?: string;
  /** `[user, password]`. */
  basic_auth?: [string, string];
  /** An encoded API key (the `encoded` value Elasticsearch returns). Takes precedence over basic_auth. */
  api_key?: string;
  /** Path to a PEM file with the CA certificate(s) to trust. */
  ca_certs?: string;
  /** Default true. */
  verify_certs?: boolean;
  /** Request timeout in seconds. Default 30. */
  timeout?: number;
  /**
   * Retries of one request inside the client (another node, same request). Backoff between attempts of
   * a batch is the delivery layer's job (the retry wrapper), so the client's own count is capped at 1.
   */
  max_retries?: number;
  /** Seconds the delivery layer waits before re-sending a batch that got a retryable result. Default 2. */
  retry_delay?: number;
  /** Prefix of the two composable index templates (`<name>-logs`, `<name>-traces`). Default `isotel`. */
  template_name?: string;
  /** Pass `refresh=true` on every bulk request (tests and demos; costly in production). Default false. */
  refresh?: boolean;
}

export interface ResolvedElasticsearchConfig {
  hosts: string[];
  index_pattern: string;
  span_index_pattern: string;
  metric_data_stream: string;
  basic_auth?: [string, string];
  api_key?: string;
  ca_certs?: string;
  verify_certs: boolean;
  timeout: number;
  max_retries: number;
  retry_delay: number;
  template_name: string;
  refresh: boolean;
}

export const ELASTICSEARCH_DEFAULTS = {
  index_pattern: 'logs-isotel-%Y.%m.%d',
  span_index_pattern: 'traces-isotel-%Y.%m.%d',
  verify_certs: true,
  timeout: 30,
  max_retries: 3,
  retry_delay: 2,
  template_name: 'isotel',
  refresh: false,
} as const;

function configError(field: string, why: string): Error {
  return new Error(`elasticsearch backend: invalid ${field}: ${why} (check logger.backends[i].config.${field})`);
}

function optionalNumber(raw: Record<string, unknown>, field: string, fallback: number, min: number): number {
  const v = raw[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw configError(field, `expected a number >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function optionalBoolean(raw: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const v = raw[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw configError(field, `expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

function optionalString(raw: Record<string, unknown>, field: string): string | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw configError(field, `expected a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

/** Validates field types (naming the field on error) and applies the defaults. */
export function resolveConfig(config: ElasticsearchBackendConfig | Record<string, unknown>): ResolvedElasticsearchConfig {
  const raw = (config ?? {}) as Record<string, unknown>;
  const hosts = typeof raw.hosts === 'string' ? [raw.hosts] : raw.hosts;
  if (!Array.isArray(hosts) || hosts.length === 0) throw configError('hosts', 'expected a non-empty list of URLs, e.g. ["http://localhost:9200"]');
  for (const h of hosts) {
    if (typeof h !== 'string' || !/^https?:\/\/[^/\s]+/.test(h)) throw configError('hosts', `"${String(h)}" is not an http(s) URL`);
  }
  const auth = raw.basic_auth;
  if (auth !== undefined && auth !== null) {
    if (!Array.isArray(auth) || auth.length !== 2 || !auth.every((x) => typeof x === 'string')) {
      throw configError('basic_auth', 'expected [user, password]');
    }
  }
  const template = optionalString(raw, 'template_name') ?? ELASTICSEARCH_DEFAULTS.template_name;
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(template)) throw configError('template_name', `"${template}" must be lowercase letters, digits, ".", "_" or "-"`);
  const metrics = optionalString(raw, 'metric_data_stream') ?? `metrics-${template}-default`;
  if (!/^[a-z0-9][a-z0-9._+-]*$/.test(metrics)) throw configError('metric_data_stream', `"${metrics}" must be a lowercase index name (letters, digits, ".", "_", "+" or "-")`);
  return {
    hosts: hosts as string[],
    metric_data_stream: metrics,
    index_pattern: optionalString(raw, 'index_pattern') ?? ELASTICSEARCH_DEFAULTS.index_pattern,
    span_index_pattern: optionalString(raw, 'span_index_pattern') ?? ELASTICSEARCH_DEFAULTS.span_index_pattern,
    basic_auth: auth ? (auth as [string, string]) : undefined,
    api_key: optionalString(raw, 'api_key'),
    ca_certs: optionalString(raw, 'ca_certs'),
    verify_certs: optionalBoolean(raw, 'verify_certs', ELASTICSEARCH_DEFAULTS.verify_certs),
    timeout: optionalNumber(raw, 'timeout', ELASTICSEARCH_DEFAULTS.timeout, 0.001),
    max_retries: optionalNumber(raw, 'max_retries', ELASTICSEARCH_DEFAULTS.max_retries, 0),
    retry_delay: optionalNumber(raw, 'retry_delay', ELASTICSEARCH_DEFAULTS.retry_delay, 0),
    template_name: template,
    refresh: optionalBoolean(raw, 'refresh', ELASTICSEARCH_DEFAULTS.refresh),
  };
}
