import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureLogger } from '../configure.js';
import type { Logger } from '../logger.js';
import type { LogRecord, SpanRecord } from '../../shared/model.js';
import { parseTraceparent, type TraceParent } from '../../shared/trace-context.js';

/** Test support for the middleware tests: a logger writing JSONL to a temp dir, and a real server. */
export interface LoggerHarness {
  logger: Logger;
  diagMessages: string[];
  logs(): LogRecord[];
  spans(): SpanRecord[];
  /** Flushes until a span matching `match` is in the spans file (the span ends on 'finish', after the reply). */
  span(match: (s: SpanRecord) => boolean): Promise<SpanRecord>;
  close(): Promise<void>;
}

export const PARENT_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const PARENT_SPAN_ID = 'b7ad6b7169203331';
export const TRACEPARENT = `00-${PARENT_TRACE_ID}-${PARENT_SPAN_ID}-01`;

/**
 * `instrumentations` defaults to none: the middleware's own server span is under test. The adopt tests pass
 * `['http']` (the official instrumentation starts the span, the middleware adds to it).
 */
export async function createHarness(instrumentations: string[] = []): Promise<LoggerHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'isotel-mw-'));
  const diagMessages: string[] = [];
  const logger = await configureLogger({
    config: {
      logger: {
        service_name: 'mw-test',
        log_level: 'DEBUG',
        enable_console: false,
        data_dir: join(dir, 'data'),
        backends: [{ backend_type: 'filesystem', config: { log_file: join(dir, 'app.jsonl') } }],
        tracing: { instrumentations },
      },
    },
    watch: false,
    exitHooks: false,
    diagSink: (_level, message) => diagMessages.push(message),
  });
  const read = <T>(file: string): T[] => {
    const f = join(dir, file);
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : [];
  };
  const spans = () => read<SpanRecord>('app.spans.jsonl');
  return {
    logger,
    diagMessages,
    logs: () => read<LogRecord>('app.jsonl'),
    spans,
    async span(match) {
      for (let i = 0; i < 100; i++) {
        await logger.flush();
        const found = spans().find(match);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('span not written within 1 s');
    },
    async close() {
      await logger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1, port 0. */
export async function listen(listenerOrServer: RequestListener | Server): Promise<TestServer> {
  const server = typeof listenerOrServer === 'function' ? createServer(listenerOrServer) : listenerOrServer;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The `traceparent` entry of a Server-Timing header. */
export function serverTimingTraceparent(res: Response): TraceParent | null {
  const header = res.headers.get('server-timing') ?? '';
  const m = /(?:^|,)\s*traceparent;desc="([^"]*)"/.exec(header);
  return m ? parseTraceparent(m[1]) : null;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
