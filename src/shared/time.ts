/**
 * Timestamps in the record model's form: ISO 8601 UTC with microseconds (`2025-07-06T10:34:56.123456Z`),
 * or nine fraction digits when the source had nanoseconds that are not whole microseconds.
 */

export interface Clock {
  /** Milliseconds since the epoch, with sub-millisecond precision where the platform has it. */
  nowMs(): number;
}

const perf: { timeOrigin: number; now(): number } | undefined =
  typeof performance !== 'undefined' && typeof performance.now === 'function' ? performance : undefined;

/**
 * The platform clock: `performance.timeOrigin + performance.now()` (microsecond resolution), else Date.now().
 * timeOrigin is fixed for the life of the process or page, and reading it is a getter call: read once.
 */
const origin = perf ? perf.timeOrigin : 0;
export const systemClock: Clock = perf ? { nowMs: () => origin + perf.now() } : { nowMs: () => Date.now() };

// Formatting a date is ~150 ns; log bursts share a millisecond, so the prefix is cached per millisecond.
let cachedMs = -1;
let cachedPrefix = '';

/** `msToIso(1751798096123.456) === '2025-07-06T10:34:56.123456Z'` */
export function msToIso(ms: number): string {
  const whole = Math.floor(ms);
  if (whole !== cachedMs) {
    const iso = new Date(whole).toISOString(); // 2025-07-06T10:34:56.123Z
    cachedPrefix = iso.slice(0, 23);
    cachedMs = whole;
  }
  const micros = Math.floor((ms - whole) * 1000);
  return cachedPrefix + (micros < 10 ? '00' : micros < 100 ? '0' : '') + micros + 'Z';
}

export function nowIso(clock: Clock = systemClock): string {
  return msToIso(clock.nowMs());
}

/** Nanoseconds since the epoch (as a bigint) to the model's ISO form. */
export function nanosToIso(nanos: bigint): string {
  const ms = nanos / 1_000_000n;
  const subMs = Number(nanos % 1_000_000n); // 0..999999
  const base = new Date(Number(ms)).toISOString().slice(0, 23);
  if (subMs % 1000 === 0) return `${base}${String(subMs / 1000).padStart(3, '0')}Z`;
  return `${base}${String(subMs).padStart(6, '0')}Z`;
}

const ISO_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** The model's ISO form (any fraction length, Z or offset) to nanoseconds; undefined when malformed. */
export function isoToNanos(iso: string): bigint | undefined {
  const m = ISO_RE.exec(iso);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  const frac = (m[2] || '').padEnd(9, '0');
  return BigInt(seconds) * 1_000_000n + BigInt(frac);
}

/** Milliseconds (float) of a model timestamp; NaN when malformed. */
/**
 * isoToNanos as the decimal text OTLP JSON wants, '0' for an invalid time or one before 1970; without BigInt
 * (the browser's OTLP encoder: 50 B gzip less in the lite build, es2019).
 */
export function isoToNanoText(iso: unknown): string {
  const m = typeof iso === 'string' ? ISO_RE.exec(iso) : null;
  // Whole seconds (the fraction is not parsed here), so an integer, printed without an exponent.
  const s = m ? Date.parse(`${m[1]}${m[3]}`) / 1000 : Number.NaN;
  const frac = m ? (m[2] || '').padEnd(9, '0') : '';
  return s > 0 ? s + frac : s === 0 ? String(+frac) : '0';
}

export function isoToMs(iso: string): number {
  const n = isoToNanos(iso);
  return n === undefined ? Number.NaN : Number(n) / 1e6;
}
