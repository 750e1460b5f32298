import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag as apiDiag } from '@opentelemetry/api';
import { configureLogger } from './configure.js';
import type { Logger } from './logger.js';
import type { LogRecord, SpanRecord } from '../shared/model.js';

/**
 * OTEL_* variables through configureLogger, seen on the records a real logger writes (JSONL backend), and
 * the precedence: code `config` > OTEL_* environment > configFile > defaults.
 */
let dir = '';
let logger: Logger | undefined;
let diagMessages: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-otel-env-'));
  diagMessages = [];
});
afterEach(async () => {
  await logger?.close();
  logger = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function open(opts: { env?: Record<string, string>; file?: string; config?: Record<string, unknown> } = {}): Promise<Logger> {
  const configFile = join(dir, 'isotel.yaml');
  const backend = `  enable_console: false\n  data_dir: ${join(dir, 'data')}\n  backends:\n    - backend_type: filesystem\n      config: { log_file: ${join(dir, 'app.jsonl')} }\n`;
  writeFileSync(configFile, `logger:\n${backend}${opts.file ?? ''}`);
  logger = await configureLogger({
    configFile,
    config: opts.config,
    env: opts.env ?? {},
    watch: false,
    exitHooks: false,
    diagSink: (_level, message) => diagMessages.push(message),
  });
  return logger;
}

const read = <T>(name: string): T[] => {
  const f = join(dir, name);
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : [];
};
const logs = () => read<LogRecord>('app.jsonl');
const spans = () => read<SpanRecord>('app.spans.jsonl');

async function serviceNameOfARecord(opts: Parameters<typeof open>[0]): Promise<unknown> {
  const log = await open(opts);
  log.info('hello');
  await log.flush();
  return logs()[0].resource['service.name'];
}

describe('configureLogger with OTEL_* variables', () => {
  it.each([
    ['the default', {}, 'isotel-service'],
    ['the file over the default', { file: '  service_name: file-svc\n' }, 'file-svc'],
    ['OTEL_SERVICE_NAME over the file', { file: '  service_name: file-svc\n', env: { OTEL_SERVICE_NAME: 'env-svc' } }, 'env-svc'],
    ['code over OTEL_SERVICE_NAME', { file: '  service_name: file-svc\n', env: { OTEL_SERVICE_NAME: 'env-svc' }, config: { service_name: 'code-svc' } }, 'code-svc'],
  ])('service.name: %s', async (_what, opts, expected) => {
    expect(await serviceNameOfARecord(opts)).toBe(expected);
  });

  it('puts OTEL_RESOURCE_ATTRIBUTES on logs and spans, without letting them replace telemetry.sdk.*', async () => {
    const log = await open({ env: { OTEL_RESOURCE_ATTRIBUTES: 'service.version=3.1.4,deployment.environment.name=prod,team=payments,telemetry.sdk.name=fake' } });
    log.withSpan('work', undefined, () => log.info('inside'));
    await log.flush();
    for (const r of [logs()[0].resource, spans()[0].resource]) {
      expect(r).toMatchObject({ 'service.version': '3.1.4', 'deployment.environment.name': 'prod', team: 'payments', 'telemetry.sdk.name': 'isotel' });
    }
  });

  it('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT truncates the attribute values of logs and of spans', async () => {
    const log = await open({ env: { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '32' } });
    const long = 'x'.repeat(500);
    log.withSpan('work', { given: long }, (span) => {
      span.setAttribute('set_later', long);
      log.info('inside', { note: long });
    });
    await log.flush();
    expect((logs()[0].attributes.note as string).length).toBeLessThan(64);
    const span = spans()[0];
    expect((span.attributes.given as string).length).toBeLessThanOrEqual(32);
    expect(span.attributes.set_later).toBe('x'.repeat(32));
  });

  it('reports each malformed variable on the diag channel, ignores it, and still works', async () => {
    const log = await open({
      file: '  service_name: file-svc\n',
      env: { OTEL_SERVICE_NAME: 'env-svc', OTEL_TRACES_SAMPLER: 'sometimes', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: 'big', OTEL_RESOURCE_ATTRIBUTES: 'team' },
    });
    expect(diagMessages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OTEL_TRACES_SAMPLER="sometimes" ignored: expected one of always_on/),
        'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT="big" ignored: expected a non-negative whole number',
        expect.stringMatching(/^OTEL_RESOURCE_ATTRIBUTES="team" ignored/),
      ]),
    );
    expect(log.health().counters['config.env_ignored']).toBe(3);
    log.withSpan('still traced', undefined, () => log.info('still logging'));
    await log.flush();
    expect(logs()[0].resource['service.name']).toBe('env-svc'); // the valid variable applies
    expect(spans()).toHaveLength(1); // the default sampler (parentbased_always_on)
  });

  it('OTEL_TRACES_SAMPLER + _ARG choose the sampler; the code config overrides them', async () => {
    const env = { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' };
    const log = await open({ file: '  tracing: { sampler: always_on }\n', env });
    log.withSpan('dropped', undefined, () => log.info('inside'));
    await log.flush();
    expect(spans()).toEqual([]);
    expect(logs()[0].trace_id).toMatch(/^[0-9a-f]{32}$/);
    await log.close();
    rmSync(join(dir, 'app.jsonl'), { force: true });
    const coded = await open({ env, config: { tracing: { sampler: 'always_on' } } });
    coded.withSpan('kept', undefined, () => {});
    await coded.flush();
    expect(spans().map((s) => s.name)).toEqual(['kept']);
  });

  it('OTEL_LOG_LEVEL routes the OpenTelemetry API diag messages at that level to the diag channel while the logger lives', async () => {
    const log = await open({ env: { OTEL_LOG_LEVEL: 'warn' } });
    apiDiag.warn('from an instrumentation');
    apiDiag.debug('too detailed');
    await log.close();
    logger = undefined;
    apiDiag.warn('after close');
    expect(diagMessages.filter((m) => m.startsWith('[otel]'))).toEqual(['[otel] from an instrumentation']);
  });

  it('keeps the precedence on reload: an edited file does not override the environment or the code', async () => {
    const configFile = join(dir, 'isotel.yaml');
    const yaml = (level: string, limit: number) =>
      `logger:\n  enable_console: false\n  data_dir: ${join(dir, 'data')}\n  log_level: ${level}\n  limits: { max_attribute_value_length: ${limit} }\n` +
      `  backends:\n    - backend_type: filesystem\n      config: { log_file: ${join(dir, 'app.jsonl')} }\n`;
    writeFileSync(configFile, yaml('DEBUG', 1000));
    const diag = (_l: string, m: string) => diagMessages.push(m);
    logger = await configureLogger({ configFile, config: { log_level: 'WARN' }, env: { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '20' }, exitHooks: false, diagSink: diag });
    writeFileSync(configFile, yaml('TRACE', 5000));
    const deadline = Date.now() + 5000;
    while (!diagMessages.includes('configuration reloaded') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(diagMessages).toContain('configuration reloaded');
    expect(logger.level()).toBe('warn'); // the code's WARN over the file's TRACE
    logger.error('after reload', { v: 'z'.repeat(100) });
    await logger.flush();
    const v = logs().at(-1)!.attributes.v as string;
    expect(v.startsWith('z'.repeat(20)) && v.length < 60).toBe(true); // the environment's 20, not the file's 5000
  });

  it('a malformed file is still a start-up ConfigError (the environment does not hide it)', async () => {
    await expect(open({ file: '  log_level: LOUD\n', env: { OTEL_SERVICE_NAME: 'x' } })).rejects.toThrow(/logger\.log_level \(line \d+\)/);
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it('gives a logger whose methods are safe no-ops: no backend opened, no records, health disabled', async () => {
    const log = await open({ env: { OTEL_SDK_DISABLED: 'true' } });
    log.info('dropped', { a: 1 });
    log.setLevel('trace');
    log.error(new Error('dropped too'));
    log.child({ b: 2 }).warn('dropped');
    expect(log.withSpan('s', { c: 3 }, (span) => (span.isRecording() ? 'recording' : 'not recording'))).toBe('not recording');
    expect(await log.withSpan('async', undefined, async () => 42)).toBe(42);
    expect(log.traced('t', (x: number) => x * 2)(21)).toBe(42);
    expect(log.activeTraceId()).toBeUndefined();
    await log.flush();
    expect(log.health()).toEqual({ status: 'disabled', backends: [], counters: {} });
    await log.close();
    await log.close();
    expect(existsSync(join(dir, 'app.jsonl'))).toBe(false);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('logger.disabled in code wins over OTEL_SDK_DISABLED, and the file key works too', async () => {
    const on = await open({ env: { OTEL_SDK_DISABLED: 'true' }, config: { disabled: false } });
    expect(on.health().status).toBe('healthy');
    await on.close();
    logger = undefined;
    const off = await open({ file: '  disabled: true\n' });
    expect(off.health().status).toBe('disabled');
  });
});

describe('OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('adds an otlp backend beside the configured ones, sending with OTEL_EXPORTER_OTLP_HEADERS', async () => {
    const http = await import('node:http');
    const got: Array<{ path?: string; key?: string | string[] }> = [];
    const server = http.createServer((req, res) => {
      got.push({ path: req.url, key: req.headers['x-key'] });
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const l = await open({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_HEADERS: 'x-key=s%20ecret' } });
      l.info('to both');
      await l.flush();
      const end = Date.now() + 10_000;
      while (!got.some((g) => g.path === '/v1/logs') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(got.find((g) => g.path === '/v1/logs')).toEqual({ path: '/v1/logs', key: 's ecret' });
      expect(logs().map((r) => r.body)).toContain('to both');
      expect(l.health().backends.map((b) => b.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^otlp/)]));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
