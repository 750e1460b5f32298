import { afterEach, beforeEach } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureLogger } from './configure.js';
import type { Logger } from './logger.js';
import type { LogRecord, SpanRecord } from '../shared/model.js';

/** Test support for the logger tests: a logger writing JSONL to a fresh temp dir, closed after each test. */
export interface LoggerTestBed {
  /** The current test's temp directory. */
  readonly dir: string;
  /** Diagnostic messages of the current test's logger. */
  readonly diagMessages: string[];
  /** A logger at DEBUG with one filesystem backend; `extra` overrides `logger.*` settings. */
  make(extra?: Record<string, unknown>): Promise<Logger>;
  readLogs(): LogRecord[];
  readSpans(): SpanRecord[];
}

/** Registers beforeEach/afterEach in the calling test file and returns the bed they prepare. */
export function useLoggerTestBed(): LoggerTestBed {
  let dir = '';
  let logger: Logger | undefined;
  const diagMessages: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'isotel-logger-'));
    diagMessages.length = 0;
  });
  afterEach(async () => {
    await logger?.close();
    logger = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const readLines = <T>(name: string): T[] => {
    const f = join(dir, name);
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : [];
  };
  return {
    get dir() {
      return dir;
    },
    diagMessages,
    async make(extra = {}) {
      logger = await configureLogger({
        config: {
          logger: {
            service_name: 'unit',
            service_version: '9.9.9',
            log_level: 'DEBUG',
            enable_console: false,
            data_dir: join(dir, 'data'),
            backends: [{ backend_type: 'filesystem', config: { log_file: join(dir, 'app.jsonl') } }],
            ...extra,
          },
        },
        watch: false,
        exitHooks: false,
        diagSink: (_level, message) => diagMessages.push(message),
      });
      return logger;
    },
    readLogs: () => readLines<LogRecord>('app.jsonl'),
    readSpans: () => readLines<SpanRecord>('app.spans.jsonl'),
  };
}
