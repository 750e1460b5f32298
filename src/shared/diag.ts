/**
 * The internal diagnostic channel: where the SDK reports its own trouble instead of throwing into the
 * host application. Counters are kept per reason so `health()` can show them; the sink is a parameter.
 */
export type DiagLevel = 'debug' | 'info' | 'warn' | 'error';

export interface DiagSink {
  (level: DiagLevel, message: string, detail?: unknown): void;
}

export interface Diag {
  debug(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
  /** Adds n to the named counter (for example `attributes.truncated`). */
  count(name: string, n?: number): void;
  counters(): Record<string, number>;
}

/**
 * The default sink: warnings and errors (and info) go to stderr once per message; debug messages, and every
 * repeat, only when `verbose` (default: the ISOTEL_DEBUG variable is set).
 */
export function defaultDiagSink(verbose: boolean = typeof process !== 'undefined' && !!process.env?.ISOTEL_DEBUG): DiagSink {
  const seen = new Set<string>();
  return (level, message, detail) => {
    if (level === 'debug' && !verbose) return;
    if (!verbose && seen.has(message)) return;
    if (seen.size < 1000) seen.add(message);
    try {
      const suffix = detail === undefined ? '' : ` ${describe(detail)}`;
      // eslint-disable-next-line no-console
      console.warn(`[isotel ${level}] ${message}${suffix}`);
    } catch {
      /* console itself failed: nothing left to report to */
    }
  };
}

function describe(detail: unknown): string {
  if (detail instanceof Error) return detail.stack ?? detail.message;
  try {
    return typeof detail === 'string' ? detail : JSON.stringify(detail);
  } catch {
    return String(detail);
  }
}

export function createDiag(sink: DiagSink = defaultDiagSink()): Diag {
  const counts: Record<string, number> = Object.create(null);
  const safe = (level: DiagLevel, message: string, detail?: unknown) => {
    try {
      sink(level, message, detail);
    } catch {
      /* a throwing sink must not reach the host */
    }
  };
  return {
    debug: (m, d) => safe('debug', m, d),
    warn: (m, d) => safe('warn', m, d),
    error: (m, d) => safe('error', m, d),
    count(name, n = 1) {
      counts[name] = (counts[name] || 0) + n;
    },
    counters: () => ({ ...counts }),
  };
}
