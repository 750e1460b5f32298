import { describe, it, expect, afterEach, vi } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureLogger, type Logger } from './index.js';
import { formatPretty } from './console-output.js';
import type { LogRecord } from '../shared/model.js';

let dir = '';
let logger: Logger | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await logger?.close();
  logger = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[\d+m/g, '');

/** Captures what the logger writes to a stream (only lines containing `marker`: the test runner writes too). */
function capture(stream: NodeJS.WriteStream, marker: string): string[] {
  const lines: string[] = [];
  const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    if (text.includes(marker)) {
      lines.push(text);
      return true;
    }
    return original(chunk, ...rest);
  }) as typeof stream.write);
  return lines;
}

const fileLines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogRecord) : []);

async function make(consoleFormat: 'pretty' | 'json'): Promise<Logger> {
  dir = mkdtempSync(join(tmpdir(), 'isotel-console-'));
  logger = await configureLogger({
    config: {
      logger: {
        service_name: 'console-test',
        log_level: 'DEBUG',
        enable_console: true,
        console_format: consoleFormat,
        data_dir: join(dir, 'data'),
        backends: [{ backend_type: 'filesystem', config: { log_file: join(dir, 'app.jsonl') } }],
      },
    },
    watch: false,
    exitHooks: false,
    diagSink: () => {},
  });
  return logger;
}

describe('formatPretty', () => {
  const record: LogRecord = {
    record_id: '0000000000000000000000000A',
    timestamp: '2025-07-06T10:34:56.123456Z',
    observed_timestamp: '2025-07-06T10:34:56.123456Z',
    severity_text: 'INFO',
    severity_number: 9,
    body: 'Application started',
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    span_id: '00f067aa0ba902b7',
    attributes: { user_id: 'user123', n: 3, ok: true, nested: { a: [1, 'x'] }, 'log.record.uid': 'hidden' },
    resource: { 'service.name': 'x' },
    scope: { name: 'isotel' },
  };

  it('writes time, padded level, message, attributes (not log.record.uid) and the trace and span ids on one line', () => {
    expect(formatPretty(record, false)).toBe(
      '10:34:56.123 INFO  Application started user_id=user123 n=3 ok=true nested={"a":[1,"x"]}' +
        '  trace=4bf92f3577b34da6a3ce929d0e0e4736 span=00f067aa0ba902b7\n',
    );
  });

  it('colours only the level on a TTY, and leaves trace= out outside a span', () => {
    const { trace_id: _t, span_id: _s, ...outside } = record;
    const line = formatPretty({ ...outside, severity_text: 'WARN', severity_number: 13, body: { k: 1 } }, true);
    expect(line).toBe('10:34:56.123 \x1b[33mWARN \x1b[0m {"k":1} user_id=user123 n=3 ok=true nested={"a":[1,"x"]}\n');
  });
});

describe('console output', () => {
  it('prints a human-readable line with level, message, attributes and trace=<trace id> inside a span; errors on stderr', async () => {
    const log = await make('pretty');
    const out = capture(process.stdout, 'checkout-pretty');
    const err = capture(process.stderr, 'checkout-pretty');
    let traceId = '';
    let spanId = '';
    log.withSpan('checkout', undefined, () => {
      traceId = log.activeTraceId()!;
      spanId = log.activeSpanId()!;
      log.info('checkout-pretty done', { user_id: 'user123', items: 3 });
      log.error('checkout-pretty failed', { code: 'E42' });
    });
    log.debug('checkout-pretty outside');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(out.map(plain)).toEqual([
      expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  checkout-pretty done user_id=user123 items=3  trace=${traceId} span=${spanId}\\n$`)),
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} DEBUG checkout-pretty outside\n$/),
    ]);
    expect(err.map(plain)).toEqual([expect.stringMatching(new RegExp(`ERROR checkout-pretty failed code=E42  trace=${traceId} `))]);
  });

  it('prints each record as one JSON line with console_format: json, the same record the backend gets', async () => {
    const log = await make('json');
    const out = capture(process.stdout, 'checkout-json');
    await log.withSpan('checkout', undefined, async () => log.info('checkout-json done', { user_id: 'user123', nested: { a: 1 } }));
    await log.flush();
    expect(out).toHaveLength(1);
    expect(out[0].endsWith('\n')).toBe(true);
    expect(out[0].slice(0, -1)).not.toContain('\n');
    const printed = JSON.parse(out[0]) as LogRecord;
    expect(printed.body).toBe('checkout-json done');
    expect(printed.severity_text).toBe('INFO');
    expect(printed.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(printed).toEqual(fileLines(join(dir, 'app.jsonl'))[0]);
  });

  it('stops printing once a config reload turns enable_console off, and keeps writing to the backend', async () => {
    dir = mkdtempSync(join(tmpdir(), 'isotel-console-'));
    const cfg = join(dir, 'logger_config.yaml');
    const file = join(dir, 'app.jsonl');
    const yaml = (enabled: boolean) => `logger:
  service_name: console-reload
  enable_console: ${enabled}
  data_dir: ${dir}/data
  backends:
    - backend_type: filesystem
      config:
        log_file: ${file}
`;
    writeFileSync(cfg, yaml(true));
    const diag: string[] = [];
    logger = await configureLogger({ configFile: cfg, exitHooks: false, diagSink: (_l, m) => diag.push(m) });
    const out = capture(process.stdout, 'console-reload');
    const err = capture(process.stderr, 'console-reload');
    logger.info('console-reload before');
    expect(out.map(plain)).toEqual([expect.stringContaining('INFO  console-reload before')]);
    writeFileSync(cfg, yaml(false));
    const end = Date.now() + 5000;
    while (!diag.includes('configuration reloaded')) {
      if (Date.now() > end) throw new Error(`reload not applied: ${diag.join('; ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    logger.info('console-reload after');
    logger.error('console-reload after, error');
    await logger.flush();
    expect(out).toHaveLength(1);
    expect(err).toEqual([]);
    expect(fileLines(file).map((r) => r.body)).toEqual(['console-reload before', 'console-reload after', 'console-reload after, error']);
  });
});
