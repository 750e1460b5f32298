/**
 * The browser's diag channel (the shared Diag contract): warnings and errors to the console once per
 * message, through the console methods captured at init, before console capture wraps them, so the SDK's
 * own warnings never become records; counters per reason for health. Smaller than the shared createDiag,
 * which also reads process.env for Node.
 */
import type { Diag } from '../shared/diag.js';

type Write = (...args: unknown[]) => void;

export function createBrowserDiag(c: { warn?: unknown } | undefined): Diag {
  const warn = c && typeof c.warn === 'function' ? (c.warn as Write).bind(c) : undefined;
  const seen = new Set<string>();
  const counts: Record<string, number> = {};
  const write = (level: string, message: string, detail?: unknown): void => {
    if (seen.has(message) || !warn) return;
    if (seen.size < 200) seen.add(message);
    try {
      if (detail === undefined) warn(`[isotel ${level}] ${message}`);
      else warn(`[isotel ${level}] ${message}`, detail);
    } catch {
      // The console itself failed: there is nowhere left to report to.
    }
  };
  return {
    // Nothing sets a debug level in the browser: debug messages are dropped.
    debug: () => undefined,
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
    count(name, n = 1) {
      counts[name] = (counts[name] || 0) + n;
    },
    counters: () => Object.assign({}, counts),
  };
}
