import type { z } from 'zod';
import { createKeyMatcher, DEFAULT_SECRET_KEYS } from '../../shared/redact-keys.js';

/** One problem in a configuration: the dotted path (`logger.backends[1].config.port`), its YAML line, what is wrong. */
export interface ConfigIssue {
  path: string;
  line?: number;
  message: string;
}

/** Invalid configuration. The message lists every issue, one per line, each with its path and line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: ConfigIssue[];
  /** The file the configuration came from, when it came from one. */
  readonly source?: string;

  constructor(issues: ConfigIssue[], source?: string) {
    super(formatMessage(issues, source));
    this.issues = issues;
    this.source = source;
  }
}

function formatMessage(issues: ConfigIssue[], source?: string): string {
  const head = `invalid isotel configuration${source ? ` in ${source}` : ''}`;
  // A path-less issue (YAML syntax, unreadable file) carries its own position in the message.
  const lines = issues.map((i) => (i.path ? `  ${i.path}${i.line !== undefined ? ` (line ${i.line})` : ''}: ${i.message}` : `  ${i.message}`));
  return `${head} (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}):\n${lines.join('\n')}`;
}

export type PathSegment = string | number;

/** `['logger', 'backends', 1, 'config']` → `logger.backends[1].config`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

/** An issue before it is placed in the file: path segments, message, and the type a string could be coerced to. */
export interface RawIssue {
  segments: PathSegment[];
  message: string;
  /** Set when a value had the wrong type and `number` or `boolean` was expected (env values may be coerced). */
  expected?: 'number' | 'boolean';
}

const isSecretKey = createKeyMatcher(DEFAULT_SECRET_KEYS);

/** Turns a zod issue into messages a person editing YAML understands; unknown keys become one issue per key. */
export function describeIssue(iss: z.core.$ZodIssue): RawIssue[] {
  const segments = iss.path.filter((s): s is PathSegment => typeof s !== 'symbol');
  const last = segments[segments.length - 1];
  const secret = typeof last === 'string' && isSecretKey(last);
  const got = 'input' in iss && !secret ? `, got ${describeValue(iss.input)}` : '';
  switch (iss.code) {
    case 'unrecognized_keys': {
      // The per-key messages (with suggestions) come from strictObject's error map, one line per key.
      const messages = iss.message.split('\n');
      return iss.keys.map((key, i) => ({
        segments: [...segments, key],
        message: messages.length === iss.keys.length ? messages[i] : `unknown key "${key}"`,
      }));
    }
    case 'invalid_type': {
      if (!('input' in iss) || iss.input === undefined) return [{ segments, message: 'required field is missing' }];
      const expected = iss.expected === 'int' ? 'integer' : iss.expected;
      const coercible = iss.expected === 'boolean' ? 'boolean' : iss.expected === 'number' || iss.expected === 'int' ? 'number' : undefined;
      return [{ segments, message: `expected ${expected}${got}`, expected: coercible }];
    }
    case 'invalid_value':
      return [{ segments, message: `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}${got}` }];
    case 'too_small':
    case 'too_big': {
      const bound = iss.code === 'too_small' ? iss.minimum : iss.maximum;
      const op = iss.code === 'too_small' ? (iss.inclusive ? '>=' : '>') : iss.inclusive ? '<=' : '<';
      const what =
        iss.origin === 'array' ? `must have ${op} ${bound} items` : iss.origin === 'string' ? `length must be ${op} ${bound}` : `must be ${op} ${bound}`;
      return [{ segments, message: `${what}${got}` }];
    }
    case 'custom': {
      // Issues forwarded from a nested schema (a backend's config) were described already.
      const fwd = (iss.params as { isotel?: { expected?: RawIssue['expected'] } } | undefined)?.isotel;
      return [{ segments, message: iss.message, expected: fwd?.expected }];
    }
    default:
      return [{ segments, message: `${iss.message}${iss.message.includes('got ') ? '' : got}` }];
  }
}

/** A short, safe rendering of a received value for messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list (${v.length} items)`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** `unknown key "servce_name" (did you mean "service_name"?)` */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const guess = closest(key, known);
  return `unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ` (allowed: ${known.join(', ')})`}`;
}

function closest(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/-/g, '_');
  const k = norm(key);
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(k.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(k, norm(candidate));
    if (d < bestD) {
      bestD = d;
      best = candidate;
    }
  }
  return best;
}

/** Levenshtein distance; keys are short, so the O(n·m) table is a few hundred cells. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
