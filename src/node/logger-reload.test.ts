import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureLogger, type Logger } from './index.js';

let dir = '';
let logger: Logger | undefined;
afterEach(async () => {
  await logger?.close();
  rmSync(dir, { recursive: true, force: true });
});

const yaml = (level: string, file: string) => `logger:
  service_name: reload-test
  log_level: ${level}
  enable_console: false
  data_dir: ${dir}/data
  backends:
    - backend_type: filesystem
      config:
        log_file: ${file}
`;
const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { body: string }) : []);

async function until(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('configuration reload', () => {
  it('applies a new level and new backends from the edited file without losing a record', async () => {
    dir = mkdtempSync(join(tmpdir(), 'isotel-reload-'));
    const cfg = join(dir, 'logger_config.yaml');
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    writeFileSync(cfg, yaml('INFO', a));
    logger = await configureLogger({ configFile: cfg, diagSink: () => {} });
    let i = 0;
    const timer = setInterval(() => logger!.info('tick', { i: i++ }), 1);
    logger.debug('hidden before reload');
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(cfg, yaml('DEBUG', b));
    await until(() => logger!.level() === 'debug');
    logger.debug('shown after reload');
    await new Promise((r) => setTimeout(r, 50));
    clearInterval(timer);
    await logger.flush();
    const all = [...lines(a), ...lines(b)];
    const ticks = all.filter((r) => r.body === 'tick').map((r) => (r as unknown as { attributes: { i: number } }).attributes.i);
    expect(new Set(ticks).size).toBe(i);
    expect(all.some((r) => r.body === 'hidden before reload')).toBe(false);
    expect(lines(b).some((r) => r.body === 'shown after reload')).toBe(true);
    expect(lines(b).length).toBeGreaterThan(0);
  });

  it('applies a new tracing sampler to the spans started after the reload', async () => {
    dir = mkdtempSync(join(tmpdir(), 'isotel-reload-'));
    const cfg = join(dir, 'logger_config.yaml');
    const tracing = (sampler: string) => `  tracing:\n    register_global: false\n    sampler: ${sampler}\n`;
    writeFileSync(cfg, yaml('INFO', join(dir, 'a.jsonl')) + tracing('always_on'));
    logger = await configureLogger({ configFile: cfg, diagSink: () => {} });
    expect(logger.tracer.startSpan('before').isRecording()).toBe(true);
    writeFileSync(cfg, yaml('DEBUG', join(dir, 'a.jsonl')) + tracing('always_off'));
    await until(() => logger!.level() === 'debug');
    expect(logger.tracer.startSpan('after').isRecording()).toBe(false);
  });

  it('keeps the running configuration when the edited file is invalid', async () => {
    dir = mkdtempSync(join(tmpdir(), 'isotel-reload-'));
    const cfg = join(dir, 'logger_config.yaml');
    const a = join(dir, 'a.jsonl');
    writeFileSync(cfg, yaml('INFO', a));
    const messages: string[] = [];
    logger = await configureLogger({ configFile: cfg, diagSink: (_l, m) => messages.push(m) });
    writeFileSync(cfg, 'logger:\n  log_level: LOUD\n');
    await until(() => messages.some((m) => m.includes('config reload rejected')));
    logger.info('still here');
    await logger.flush();
    expect(lines(a).map((r) => r.body)).toEqual(['still here']);
  });
});

describe('a start that fails half way', () => {
  it('closes the files it opened (the next start opens them afresh, no "already open" conflict)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'isotel-halfstart-'));
    const file = join(dir, 'c.jsonl');
    writeFileSync(join(dir, 'not-a-dir'), '');
    const backends = (maxBytes: number) => [
      { backend_type: 'filesystem', config: { log_file: file, max_bytes: maxBytes } },
      { backend_type: 'otlp', config: { endpoint: 'http://127.0.0.1:9' } },
    ];
    // data_dir is a regular file: the delivery engine (for the otlp sink) cannot make its log there.
    await expect(
      configureLogger({ config: { logger: { enable_console: false, data_dir: join(dir, 'not-a-dir', 'data'), backends: backends(1_000_000) } }, exitHooks: false, diagSink: () => {} }),
    ).rejects.toThrow();
    const warnings: string[] = [];
    logger = await configureLogger({
      config: { logger: { enable_console: false, data_dir: join(dir, 'data'), backends: backends(2_000_000) } },
      exitHooks: false,
      diagSink: (_level, message) => warnings.push(message),
    });
    expect(warnings.filter((w) => w.includes('already open'))).toEqual([]);
  });
});
