/**
 * Index names from strftime-style patterns (`logs-isotel-%Y.%m.%d`), filled from the record's own
 * timestamp in UTC, so a record re-sent days later still lands in the index of the day it happened.
 *
 * Supported directives: %Y (2025) %y (25) %m (07) %d (06) %H (10) %M (34) %j (187, day of year) %%.
 */

const DIRECTIVES = new Set(['Y', 'y', 'm', 'd', 'H', 'M', 'j', '%']);

/** Elasticsearch rejects these anywhere in an index name. */
const INVALID_CHARS = /[\\/*?"<>| ,#:]/;
const MAX_INDEX_BYTES = 255;

type Part = { literal: string } | { directive: string };

/** A compiled pattern: `format(ms)` is cheap enough for every record (no Date parsing per call). */
export interface IndexPattern {
  readonly source: string;
  /** The index for a time in epoch milliseconds (UTC). */
  format(ms: number): string;
  /** The pattern with every date part replaced by `*`, for index templates and searches. */
  readonly wildcard: string;
}

/**
 * Compiles and validates a pattern. Throws an Error naming `field` (e.g. `index_pattern`) when the
 * pattern has an unknown directive or yields a name Elasticsearch would refuse.
 */
export function compileIndexPattern(source: string, field: string): IndexPattern {
  const fail = (why: string): never => {
    throw new Error(`elasticsearch backend: invalid ${field} "${source}": ${why}`);
  };
  if (typeof source !== 'string' || source.length === 0) fail('must be a non-empty string');
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c !== '%') {
      literal += c;
      continue;
    }
    const d = source[i + 1];
    if (d === undefined || !DIRECTIVES.has(d)) fail(`unsupported directive "%${d ?? ''}" (use %Y %y %m %d %H %M %j %%)`);
    i++;
    if (d === '%') {
      literal += '%';
      continue;
    }
    if (literal) parts.push({ literal });
    literal = '';
    parts.push({ directive: d });
  }
  if (literal) parts.push({ literal });

  const text = parts.map((p) => ('literal' in p ? p.literal : '')).join('');
  const bad = INVALID_CHARS.exec(text);
  if (bad) fail(`index names cannot contain "${bad[0]}"`);
  if (text !== text.toLowerCase()) fail('index names must be lowercase');
  const sample = render(parts, Date.UTC(2025, 11, 31, 23, 59));
  if (/^[-_+.]/.test(sample)) fail('index names cannot start with "-", "_", "+" or "."');
  if (Buffer.byteLength(sample) > MAX_INDEX_BYTES) fail(`index names are limited to ${MAX_INDEX_BYTES} bytes`);

  const wildcard = parts
    .map((p) => ('literal' in p ? p.literal : '*'))
    .join('')
    .replace(/\*+/g, '*');
  return { source, wildcard, format: (ms) => render(parts, ms) };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function render(parts: Part[], ms: number): string {
  const date = new Date(ms);
  let out = '';
  for (const p of parts) {
    if ('literal' in p) {
      out += p.literal;
      continue;
    }
    switch (p.directive) {
      case 'Y':
        out += pad(date.getUTCFullYear(), 4);
        break;
      case 'y':
        out += pad(date.getUTCFullYear() % 100, 2);
        break;
      case 'm':
        out += pad(date.getUTCMonth() + 1, 2);
        break;
      case 'd':
        out += pad(date.getUTCDate(), 2);
        break;
      case 'H':
        out += pad(date.getUTCHours(), 2);
        break;
      case 'M':
        out += pad(date.getUTCMinutes(), 2);
        break;
      case 'j':
        out += pad(dayOfYear(date), 3);
        break;
    }
  }
  return out;
}

function dayOfYear(date: Date): number {
  const start = Date.UTC(date.getUTCFullYear(), 0, 1);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  return (day - start) / 86_400_000 + 1;
}

/** Whether `name` matches a wildcard pattern where `*` stands for any run of characters. */
export function matchesWildcard(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(name);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
