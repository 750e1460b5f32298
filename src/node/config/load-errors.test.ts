import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfigText } from './index.js';
import { SEED, env, issuesOf } from './testing.js';


describe('parseConfigText: errors name the field and line', () => {
  it('reports an unset environment variable with its field and line', async () => {
    const err = await loadConfigFile(SEED, { env: { ELASTIC_PASSWORD: 'x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([
      { path: 'logger.backends[2].config.password', line: 34, message: 'environment variable POSTGRES_PASSWORD is not set' },
    ]);
    expect((err as ConfigError).message).toContain(
      'logger.backends[2].config.password (line 34): environment variable POSTGRES_PASSWORD is not set',
    );
    expect((err as ConfigError).message).toContain(SEED);
  });

  it('rejects an unknown key with its line and a suggestion', () => {
    expect(issuesOf('logger:\n  service_name: a\n  servce_version: "2"\n')).toEqual([
      { path: 'logger.servce_version', line: 3, message: 'unknown key "servce_version" (did you mean "service_version"?)' },
    ]);
  });

  it('rejects unknown keys inside a built-in backend config and at the top level', () => {
    const issues = issuesOf('logger:\n  backends:\n    - backend_type: filesystem\n      config:\n        log_file: a.jsonl\n        max_size: 5\nloger: {}\n');
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ['logger.backends[0].config.max_size', 6],
      ['loger', 7],
    ]);
    expect(issues[1].message).toBe('unknown key "loger" (did you mean "logger"?)');
  });

  it('reports a wrong type', () => {
    expect(issuesOf('logger:\n  enable_console: "yes please"\n')).toEqual([
      { path: 'logger.enable_console', line: 2, message: 'expected boolean, got string "yes please"' },
    ]);
  });

  it('reports a missing required field at its parent’s line', () => {
    expect(issuesOf('logger:\n  backends:\n    - backend_type: postgres\n      config:\n        host: db\n')).toEqual([
      { path: 'logger.backends[0].config.database', line: 4, message: 'required field is missing' },
    ]);
    expect(issuesOf('ingest: {}\n')).toEqual([{ path: 'logger', line: 1, message: 'required field is missing' }]);
  });

  it('reports a bad enum value and a bad log level', () => {
    expect(issuesOf('logger:\n  console_format: xml\n  log_level: verbose\n')).toEqual([
      { path: 'logger.console_format', line: 2, message: 'expected one of "pretty", "json", got string "xml"' },
      { path: 'logger.log_level', line: 3, message: 'expected one of TRACE, DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL, FATAL (any case), got "verbose"' },
    ]);
  });

  it('rejects an unknown backend_type with its index', () => {
    const text = 'logger:\n  backends:\n    - backend_type: filesystem\n      config: {log_file: a.jsonl}\n    - backend_type: postgres\n      config: {database: d}\n    - backend_type: nats\n      config: {servers: [k1]}\n';
    expect(issuesOf(text)).toEqual([
      { path: 'logger.backends[2].backend_type', line: 7, message: 'unknown backend type "nats" (known: filesystem, elasticsearch, postgres, otlp, kafka, prometheus)' },
    ]);
  });

  it('accepts a registered custom backend type and passes its config through', () => {
    const text = 'logger:\n  backends:\n    - backend_type: nats\n      name: events\n      config: {brokers: ["$BROKER"], anything: {goes: 1}}\n';
    const cfg = parseConfigText(text, { env: { BROKER: 'k1:9092' }, knownBackendTypes: new Set(['nats']) });
    expect(cfg.logger.backends).toEqual([{ backend_type: 'nats', name: 'events', config: { brokers: ['k1:9092'], anything: { goes: 1 } } }]);
  });

  it('reports a YAML syntax error with line and column', () => {
    const issues = issuesOf('logger:\n  a: [1, 2\n  b: 3\n');
    expect(issues).toHaveLength(1);
    expect(issues[0].line).toBe(3);
    expect(issues[0].message).toMatch(/^YAML syntax error at line 3, column 3: /);
    expect(issuesOf('logger:\n  log_level: INFO\n  log_level: DEBUG\n')[0].message).toMatch(/^YAML syntax error at line 3, column 3: Map keys must be unique/);
  });

  it('lists every problem in one error, in file order', () => {
    let message = '';
    try {
      parseConfigText('logger:\n  log_level: loud\n  queue:\n    max_records: 0\n  limits: {max_depth: 99}\n', { env });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      [
        'invalid isotel configuration (3 problems):',
        '  logger.log_level (line 2): expected one of TRACE, DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL, FATAL (any case), got "loud"',
        '  logger.queue.max_records (line 4): must be > 0, got number 0',
        '  logger.limits.max_depth (line 5): must be <= 32, got number 99',
      ].join('\n'),
    );
  });

  it('validates URLs, table names, origins, patterns and cross references', () => {
    const text = [
      'logger:',
      '  redact: {patterns: ["("]}',
      '  backends:',
      '    - backend_type: elasticsearch',
      '      config: {hosts: ["localhost:9200"], index_pattern: "Logs-%Y"}',
      '    - backend_type: postgres',
      '      config: {database: d, table_name: "logs; DROP TABLE x"}',
      'ingest:',
      '  cors_allowed_origins: ["https://app.example.com/"]',
      '  query_backend: nowhere',
      '',
    ].join('\n');
    const issues = issuesOf(text);
    expect(issues.map((i) => `${i.path}:${i.line}`)).toEqual([
      'logger.redact.patterns[0]:2',
      'logger.backends[0].config.hosts[0]:5',
      'logger.backends[0].config.index_pattern:5',
      'logger.backends[1].config.table_name:7',
      'ingest.cors_allowed_origins[0]:9',
    ]);
    expect(issues[1].message).toBe('expected an http(s) URL such as https://localhost:9200, got string "localhost:9200"');
    // The cross reference is checked once everything else is valid.
    expect(issuesOf('logger:\n  backends: [{backend_type: postgres, name: main, config: {database: d}}]\ningest:\n  query_backend: es\n')).toEqual([
      { path: 'ingest.query_backend', line: 4, message: 'no configured backend is named or typed "es" (configured: main)' },
    ]);
  });

  it('reads the ingest dedupe window, 0 turning it off, and names a bad value', () => {
    const cfg = parseConfigText('logger: {}\ningest:\n  dedupe: {max_ids: 5000, window_seconds: 0}\n', { env });
    expect(cfg.ingest.dedupe).toEqual({ max_ids: 5000, window_seconds: 0 });
    expect(parseConfigText('logger: {}\ningest:\n  dedupe: {max_ids: 5000}\n', { env }).ingest.dedupe).toEqual({ max_ids: 5000, window_seconds: 3600 });
    const issues = issuesOf('logger: {}\ningest:\n  dedupe:\n    max_ids: -1\n    window: 60\n');
    expect(issues.map((i) => `${i.path}:${i.line}`)).toEqual(['ingest.dedupe.max_ids:4', 'ingest.dedupe.window:5']);
  });

  it('rejects duplicate backend names', () => {
    const text = 'logger:\n  backends:\n    - {backend_type: filesystem, name: a, config: {log_file: x.jsonl}}\n    - {backend_type: filesystem, name: a, config: {log_file: y.jsonl}}\n';
    expect(issuesOf(text)).toEqual([{ path: 'logger.backends[1].name', line: 4, message: 'duplicate backend name "a"' }]);
  });

  it('does not echo the value of a secret field in the message', () => {
    const issues = issuesOf('logger:\n  backends:\n    - backend_type: postgres\n      config: {database: d, password: 123456}\n');
    expect(issues).toEqual([{ path: 'logger.backends[0].config.password', line: 4, message: 'expected string' }]);
  });

  it('treats a __proto__ key as an unknown key', () => {
    expect(issuesOf('logger:\n  __proto__: {service_name: x}\n')[0]).toMatchObject({ path: 'logger.__proto__', line: 2 });
  });

  it('reports an empty file and an unreadable file', async () => {
    expect(issuesOf('# nothing\n')).toEqual([{ path: 'logger', message: 'the file is empty: expected a mapping with a logger: section' }]);
    const err = await loadConfigFile('/nonexistent/isotel.yaml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/cannot read the configuration file: ENOENT/);
  });
});
