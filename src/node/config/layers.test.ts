import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigObject, parseConfigText, type ConfigLayer } from './index.js';

/** The precedence of configureLogger, at the level of the loader: file < OTEL_* layer < code layer. */
const FILE = `logger:
  service_name: from-file
  service_version: 1.0.0-file
  log_level: WARN
  limits:
    max_attribute_value_length: 1000
    max_attributes: 50
  tracing:
    sampler: always_on
    propagators: [tracecontext]
  resource_attributes:
    team: file-team
    region: eu
`;
const envLayer = (logger: Record<string, unknown>): ConfigLayer => ({ value: { logger }, substitute: false });
const codeLayer = (value: unknown): ConfigLayer => ({ value, substitute: true });

describe('configuration layers', () => {
  it('defaults < file < environment < code, key by key', () => {
    const cfg = parseConfigText(FILE, {
      env: {},
      layers: [
        envLayer({ service_name: 'from-env', service_version: '2.0.0-env', tracing: { sampler: 'traceidratio', sampler_arg: 0.5 }, resource_attributes: { team: 'env-team', pod: 'p1' } }),
        codeLayer({ service_name: 'from-code', tracing: { sampler_arg: 0.25 }, resource_attributes: { team: 'code-team' } }),
      ],
    }).logger;
    expect(cfg.service_name).toBe('from-code'); // code > env > file
    expect(cfg.service_version).toBe('2.0.0-env'); // env > file
    expect(cfg.log_level).toBe('WARN'); // file > default
    expect(cfg.environment).toBe('development'); // default
    expect(cfg.tracing.sampler).toBe('traceidratio');
    expect(cfg.tracing.sampler_arg).toBe(0.25);
    expect(cfg.tracing.propagators).toEqual(['tracecontext']);
    expect(cfg.limits).toMatchObject({ max_attribute_value_length: 1000, max_attributes: 50, max_body_length: 65_536 });
    expect(cfg.resource_attributes).toEqual({ team: 'code-team', region: 'eu', pod: 'p1' });
  });

  it('takes the code layer as a bare logger section too, and replaces arrays rather than merging them', () => {
    const cfg = parseConfigText(FILE, { env: {}, layers: [envLayer({ tracing: { propagators: ['baggage'] } }), codeLayer({ backends: [{ backend_type: 'filesystem', config: { log_file: '/tmp/x.jsonl' } }] })] }).logger;
    expect(cfg.tracing.propagators).toEqual(['baggage']);
    expect(cfg.backends).toHaveLength(1);
    expect(cfg.backends[0].config).toMatchObject({ log_file: '/tmp/x.jsonl' });
  });

  it('substitutes $VAR in the code layer but takes the environment layer literally', () => {
    const cfg = parseConfigObject({ logger: {} }, {
      env: { NAME: 'substituted' },
      layers: [envLayer({ otlp_export: { headers: { authorization: 'Bearer $NAME' } } }), codeLayer({ service_name: '${NAME}' })],
    }).logger;
    expect(cfg.service_name).toBe('substituted');
    expect(cfg.otlp_export.headers).toEqual({ authorization: 'Bearer $NAME' });
  });

  it('drops a file problem whose value a layer replaces', () => {
    const text = 'logger:\n  service_name: ${MISSING_NAME}\n';
    expect(() => parseConfigText(text, { env: {} })).toThrow(/MISSING_NAME is not set/);
    expect(parseConfigText(text, { env: {}, layers: [codeLayer({ service_name: 'fixed' })] }).logger.service_name).toBe('fixed');
  });

  it('gives a problem in a value the code set no file line', () => {
    let err: unknown;
    try {
      parseConfigText(FILE, { env: {}, source: 'isotel.yaml', layers: [codeLayer({ log_level: 'LOUD' })] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('logger.log_level');
    expect(issues[0].line).toBeUndefined();
  });

  it('rejects a code layer that is not an object, naming what it got', () => {
    expect(() => parseConfigText(FILE, { env: {}, layers: [codeLayer('service_name: x')] })).toThrow(/expected \{ logger: \{\.\.\.\} \} or the logger section itself/);
  });
});
