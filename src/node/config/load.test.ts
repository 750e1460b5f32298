import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfigObject, parseConfigText, type ConfigIssue } from './index.js';
import { SEED, env, issuesOf } from './testing.js';


describe('parseConfigText: defaults', () => {
  it('fills every documented default from an empty logger section', () => {
    const cfg = parseConfigText('logger: {}\n', { env });
    expect(cfg.logger).toEqual({
      service_name: 'isotel-service',
      service_version: '1.0.0',
      environment: 'development',
      resource_attributes: {},
      disabled: false,
      log_level: 'INFO',
      enable_console: true,
      console_format: 'pretty',
      queue: { max_records: 100_000, max_disk_bytes: 1_073_741_824, overflow: 'drop_newest', batch_size: 1000 },
      limits: { max_attribute_value_length: 16_384, max_attributes: 128, max_body_length: 65_536, max_depth: 8 },
      redact: { keys: [], patterns: [], replacement: '[REDACTED]', use_defaults: true },
      tracing: {
        register_global: true,
        sampler: 'parentbased_always_on',
        sampler_arg: 1,
        propagators: ['tracecontext', 'baggage'],
        instrumentations: ['http', 'undici', 'pg', 'ioredis', 'express', 'fastify'],
        propagate_to: ['localhost', '127.0.0.1', '[::1]'],
        ignore_incoming_paths: ['/v1/logs', '/v1/traces', '/v1/metrics'],
      },
      metrics: { enabled: true, cardinality_limit: 2000, export_interval: 60, temporality: 'cumulative', prometheus: { host: '127.0.0.1' }, views: [] },
      otlp_export: { headers: {}, protocol: 'http/protobuf', compression: 'none' },
      data_dir: './data',
      backends: [
        {
          backend_type: 'filesystem',
          config: {
            log_file: './logs/isotel-service.jsonl',
            spans_file: './logs/isotel-service.spans.jsonl',
            metrics_file: './logs/isotel-service.metrics.jsonl',
            max_bytes: 10_485_760,
            backup_count: 5,
            max_retries: 3,
            retry_delay: 1,
            circuit_breaker_threshold: 5,
            circuit_breaker_timeout: 60,
            health_check_interval: 30,
          },
        },
      ],
    });
    expect(cfg.ingest).toEqual({
      port: 4318,
      host: '127.0.0.1',
      cors_allowed_origins: [],
      ingest_keys: [],
      max_body_bytes: 5_242_880,
      request_timeout: 30,
      rate_limit: { records_per_second: 2000, burst: 10_000 },
      wal_dir: './data/wal',
      wal_max_bytes: 1_073_741_824,
      dedupe: { max_ids: 100_000, window_seconds: 3600 },
      redact: { keys: [], patterns: [] }, // replacement and use_defaults unset: the logger's apply
      limits: { max_attribute_value_length: 16_384, max_attributes: 128, max_body_length: 65_536, max_depth: 8 },
      trust_proxy: false,
      record_client_address: false,
    });
  });

  it('takes the environment from NODE_ENV when the file sets none', () => {
    expect(parseConfigText('logger: {}', { env: { NODE_ENV: 'production' } }).logger.environment).toBe('production');
    expect(parseConfigText('logger: {environment: staging}', { env: { NODE_ENV: 'production' } }).logger.environment).toBe('staging');
  });

  it('puts the default filesystem backend at ./logs/<service_name>.jsonl, also for an empty list', () => {
    const cfg = parseConfigText('logger:\n  service_name: "pay/api v2"\n  backends: []\n', { env });
    expect(cfg.logger.backends).toHaveLength(1);
    expect(cfg.logger.backends[0].config).toMatchObject({ log_file: './logs/pay_api_v2.jsonl', spans_file: './logs/pay_api_v2.spans.jsonl' });
  });

  it('fills the elasticsearch and postgres defaults', () => {
    const cfg = parseConfigText(
      'logger:\n  backends:\n    - backend_type: elasticsearch\n      config: {hosts: ["http://es:9200"]}\n    - backend_type: postgres\n      config: {database: logs}\n',
      { env },
    );
    expect(cfg.logger.backends[0].config).toEqual({
      hosts: ['http://es:9200'],
      index_pattern: 'logs-isotel-%Y.%m.%d',
      span_index_pattern: 'traces-isotel-%Y.%m.%d',
      verify_certs: true,
      timeout: 30,
      batch_size: 1000,
      max_retries: 3,
      retry_delay: 2,
      circuit_breaker_threshold: 5,
      circuit_breaker_timeout: 60,
      health_check_interval: 30,
      template_name: 'isotel',
      refresh: false,
    });
    expect(cfg.logger.backends[1].config).toEqual({
      host: 'localhost',
      port: 5432,
      database: 'logs',
      user: 'postgres',
      table_name: 'otel_logs',
      spans_table_name: 'otel_spans',
      metrics_table_name: 'metric_points',
      ssl: false,
      schema: 'public',
      pool_size: 4,
      connect_timeout_ms: 5000,
      statement_timeout_ms: 30000,
      batch_size: 1000,
      max_retries: 3,
      retry_delay: 1,
      circuit_breaker_threshold: 5,
      circuit_breaker_timeout: 60,
      health_check_interval: 30,
    });
  });

  it.each([
    ['debug', 'DEBUG'],
    ['Warning', 'WARN'],
    ['CRITICAL', 'FATAL'],
    ['trace', 'TRACE'],
    ['fatal', 'FATAL'],
  ])('normalizes log_level %s to %s', (given, expected) => {
    expect(parseConfigText(`logger: {log_level: ${given}}`, { env }).logger.log_level).toBe(expected);
  });

  it('parses the original framework’s example configuration when its variables are set', () => {
    return loadConfigFile(SEED, { env: { ELASTIC_PASSWORD: 'es-pw', POSTGRES_PASSWORD: 'pg-pw' } }).then((cfg) => {
      expect(cfg.logger).toMatchObject({ service_name: 'my-service', service_version: '1.0.0', log_level: 'DEBUG', enable_console: true });
      expect(cfg.logger.backends.map((b) => b.backend_type)).toEqual(['filesystem', 'elasticsearch', 'postgres']);
      expect(cfg.logger.backends[1].config).toMatchObject({ basic_auth: ['elastic', 'es-pw'], index_pattern: 'my-app-logs-%Y.%m.%d', retry_delay: 2 });
      expect(cfg.logger.backends[2].config).toMatchObject({ password: 'pg-pw', database: 'logs', table_name: 'otel_logs' });
    });
  });
});

describe('environment substitution', () => {
  const dir = mkdtemp(join(tmpdir(), 'isotel-config-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('substitutes $VAR, ${VAR}, defaults and $$ in string values', () => {
    const text = [
      'logger:',
      '  service_name: "$SVC"',
      '  service_version: "v${MAJOR}.${MINOR:-0}"',
      '  environment: "${DEPLOY_ENV-qa}"',
      '  data_dir: "/var/$${literal}/${EMPTY:-fallback}"',
      '',
    ].join('\n');
    const cfg = parseConfigText(text, { env: { SVC: 'checkout', MAJOR: '3', EMPTY: '' } });
    expect(cfg.logger).toMatchObject({ service_name: 'checkout', service_version: 'v3.0', environment: 'qa', data_dir: '/var/${literal}/fallback' });
  });

  it('keeps a variable’s content as one string: it cannot inject YAML', () => {
    const cfg = parseConfigText('logger:\n  service_name: $SVC\n', { env: { SVC: 'x\n  log_level: TRACE' } });
    expect(cfg.logger.service_name).toBe('x\n  log_level: TRACE');
    expect(cfg.logger.log_level).toBe('INFO');
  });

  it('coerces a whole-value reference where a number or boolean is expected', () => {
    const text = 'logger:\n  enable_console: ${CONSOLE}\n  backends:\n    - backend_type: postgres\n      config: {database: d, port: "${PG_PORT}"}\n';
    const cfg = parseConfigText(text, { env: { PG_PORT: '5433', CONSOLE: 'false' } });
    expect(cfg.logger.enable_console).toBe(false);
    expect(cfg.logger.backends[0].config).toMatchObject({ port: 5433 });
    expect(issuesOf(text, { env: { PG_PORT: 'abc', CONSOLE: 'false' } })).toEqual([
      { path: 'logger.backends[0].config.port', line: 5, message: 'expected number, got string "abc"' },
    ]);
  });

  it('reports an unterminated reference', () => {
    expect(issuesOf('logger:\n  service_name: "${SVC"\n')).toEqual([
      { path: 'logger.service_name', line: 2, message: 'unterminated or invalid ${...} reference (write $$ for a literal $)' },
    ]);
  });

  it('can be turned off', () => {
    expect(parseConfigText('logger: {service_name: $SVC}', { env: {}, substituteEnv: false }).logger.service_name).toBe('$SVC');
  });

  it('applies to files loaded from disk', async () => {
    const file = join(await dir, 'a.yaml');
    await writeFile(file, 'logger:\n  service_name: ${SVC}\n');
    expect((await loadConfigFile(file, { env: { SVC: 'from-env' } })).logger.service_name).toBe('from-env');
  });
});

describe('parseConfigObject', () => {
  it('accepts { logger: {...} } and the bare logger section', () => {
    expect(parseConfigObject({ logger: { service_name: 'a' } }, { env }).logger.service_name).toBe('a');
    expect(parseConfigObject({ service_name: 'b', log_level: 'warning' }, { env }).logger).toMatchObject({ service_name: 'b', log_level: 'WARN' });
    expect(parseConfigObject({}, { env }).logger.service_name).toBe('isotel-service');
  });

  it('reports paths without lines and rejects non-objects', () => {
    let issues: ConfigIssue[] = [];
    try {
      parseConfigObject({ service_nme: 'x' }, { env });
    } catch (err) {
      issues = (err as ConfigError).issues;
    }
    expect(issues).toEqual([{ path: 'logger.service_nme', message: 'unknown key "service_nme" (did you mean "service_name"?)' }]);
    expect(() => parseConfigObject('logger.yaml', { env })).toThrow(/expected \{ logger: \{\.\.\.\} \} or the logger section itself, got string/);
  });

  it('does not mutate the object it is given', () => {
    const input = Object.freeze({ logger: Object.freeze({ service_name: '$SVC', backends: Object.freeze([]) }) });
    expect(parseConfigObject(input, { env: { SVC: 's' } }).logger.service_name).toBe('s');
    expect(input.logger.service_name).toBe('$SVC');
  });
});
