/**
 * The OpenTelemetry severity table (1..24) and the level names isotel's APIs and YAML accept.
 * The original framework's CRITICAL maps to FATAL and WARNING to WARN.
 */
export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

/** The first severity number of each range: TRACE 1-4, DEBUG 5-8, INFO 9-12, WARN 13-16, ERROR 17-20, FATAL 21-24. */
export const SEVERITY_NUMBER: Readonly<Record<Level, number>> = Object.freeze({
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
});

export const SEVERITY_TEXT: Readonly<Record<Level, string>> = /* @__PURE__ */ Object.freeze({
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'FATAL',
});

const ALIASES: Readonly<Record<string, Level>> = Object.freeze({
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  fatal: 'fatal',
  critical: 'fatal',
});

/** `parseLevel('WARNING') === 'warn'`; undefined for anything that is not a level name. */
export function parseLevel(name: unknown): Level | undefined {
  if (typeof name !== 'string') return undefined;
  return ALIASES[name.trim().toLowerCase()];
}

/** The short name of a severity number: 9 → INFO, 10 → INFO2, 0 → UNSPECIFIED (OTel logs data model). */
export function severityText(num: number): string {
  if (!Number.isInteger(num) || num < 1 || num > 24) return 'UNSPECIFIED';
  const level = LEVELS[Math.floor((num - 1) / 4)];
  const step = (num - 1) % 4;
  return step === 0 ? SEVERITY_TEXT[level] : `${SEVERITY_TEXT[level]}${step + 1}`;
}

/** The level a severity number falls in (0 → undefined). */
export function levelOf(num: number): Level | undefined {
  if (!Number.isInteger(num) || num < 1 || num > 24) return undefined;
  return LEVELS[Math.floor((num - 1) / 4)];
}
