import type { LogRecord } from '../shared/model.js';

/**
 * Human-readable console lines: `10:34:56.123 INFO  Application started user_id=user123  trace=4bf92f35…`.
 * Written with process.stdout.write (asynchronous for pipes); errors and above go to stderr.
 */
export type ConsoleFormat = 'pretty' | 'json';

const COLORS: Record<string, string> = {
  TRACE: '\x1b[90m',
  DEBUG: '\x1b[36m',
  INFO: '\x1b[32m',
  WARN: '\x1b[33m',
  ERROR: '\x1b[31m',
  FATAL: '\x1b[35m',
};
const RESET = '\x1b[0m';

export function formatPretty(r: LogRecord, color: boolean): string {
  const time = r.timestamp.slice(11, 23);
  const level = r.severity_text.padEnd(5);
  const lvl = color ? `${COLORS[r.severity_text] ?? ''}${level}${RESET}` : level;
  const body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  let attrs = '';
  for (const key of Object.keys(r.attributes)) {
    if (key === 'log.record.uid') continue;
    const v = r.attributes[key];
    attrs += ` ${key}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
  }
  const trace = r.trace_id ? `  trace=${r.trace_id} span=${r.span_id}` : '';
  return `${time} ${lvl} ${body}${attrs}${trace}\n`;
}

export function writeConsole(r: LogRecord, format: ConsoleFormat): void {
  const stream = r.severity_number >= 17 ? process.stderr : process.stdout;
  const line = format === 'json' ? `${JSON.stringify(r)}\n` : formatPretty(r, Boolean(stream.isTTY));
  stream.write(line);
}
