import type { AnyValue, Attributes } from './model.js';
import { createKeyMatcher, DEFAULT_SECRET_KEYS } from './redact-keys.js';
import { BUILTIN_TRIGGER, builtinPatterns, type ValuePattern } from './redact-patterns.js';
import { sameKeys } from './same-keys.js';
import { isOpaqueTag } from './tagged-value.js';

/**
 * Removes secrets from attributes and log bodies before they leave the process (Node logger) or are stored
 * (ingest, browser). Values under a secret-named key are replaced whole; free text is scanned for tokens,
 * credentials and card numbers. Always returns new objects, never mutates its input, and returns the input
 * itself when nothing matched (the common case costs a key lookup per attribute and one regex per string).
 * Isomorphic: no Node imports.
 */
export interface Redactor {
  attributes(attrs: Attributes): Attributes;
  value(v: AnyValue): AnyValue;
  text(s: string): string;
  /** False when no key and no pattern is configured: callers skip the redactor entirely. */
  readonly redactsAnything: boolean;
}

export interface RedactorOptions {
  /** Secret key names added to the defaults (matched case-insensitively, as word parts of the key). */
  keys?: readonly string[];
  /** Regular expressions added to the defaults; every match is replaced. Strings are regex sources. */
  patterns?: ReadonlyArray<string | RegExp>;
  replacement?: string;
  /** Apply the built-in keys and patterns (default true). */
  useDefaults?: boolean;
}

export const DEFAULT_REPLACEMENT = '[REDACTED]';

/** Deeper values are replaced whole: the sanitizer caps depth at 8, so only foreign input gets here. */
const MAX_DEPTH = 64;
const KEY_PATTERNS = new Set(['key-value', 'json-member']);
const KEY_TRIGGER = /=|"\s*:/;

export function createRedactor(opts: RedactorOptions = {}): Redactor {
  const useDefaults = opts.useDefaults !== false;
  const keys = [...(useDefaults ? DEFAULT_SECRET_KEYS : []), ...(opts.keys ?? [])];
  const isSecretKey = createKeyMatcher(keys);
  let builtin: ValuePattern[] = builtinPatterns(isSecretKey);
  let trigger = BUILTIN_TRIGGER;
  if (!useDefaults) {
    // Without the defaults, only the patterns that look for the configured keys inside text remain.
    builtin = keys.length > 0 ? builtin.filter((p) => KEY_PATTERNS.has(p.name)) : [];
    trigger = KEY_TRIGGER;
  }
  const custom = (opts.patterns ?? []).map(compilePattern);
  if (keys.length === 0 && builtin.length === 0 && custom.length === 0) {
    return { attributes: (a) => a, value: (v) => v, text: (s) => s, redactsAnything: false };
  }
  return new ActiveRedactor(isSecretKey, builtin, trigger, custom, opts.replacement ?? DEFAULT_REPLACEMENT);
}

/** A redactor with something to redact. Its methods are bound (arrow properties): callers may pass them on. */
class ActiveRedactor implements Redactor {
  readonly redactsAnything = true;
  // Log bodies are mostly message templates: the last one's result is kept.
  private lastText: string | undefined;
  private lastTextOut = '';
  // A one-entry memo of the last top-level attribute shape: which keys name a secret, and per position the
  // last string value and whether it could match. Consecutive records from one call site mostly repeat both.
  private memoKeys: readonly string[] = [];
  private memoSecret: boolean[] = [];
  private memoValues: unknown[] = [];
  private memoCould: boolean[] = [];

  constructor(
    private readonly isSecretKey: (key: string) => boolean,
    private readonly builtin: ValuePattern[],
    private readonly trigger: RegExp,
    private readonly custom: RegExp[],
    private readonly replacement: string,
  ) {}

  attributes = (attrs: Attributes): Attributes => (this.needsAttributes(attrs) ? (this.redactObject(attrs, 0) as Attributes) : attrs);

  value = (v: AnyValue): AnyValue => (this.needs(v, 0) ? this.redactValue(v, 0) : v);

  text = (s: string): string => {
    if (s === this.lastText) return this.lastTextOut;
    let out = s;
    const replacement = this.replacement;
    if (this.builtin.length > 0 && this.trigger.test(s)) {
      for (const p of this.builtin) out = out.replace(p.re, (m: string, ...rest: unknown[]) => p.replace(m, captures(rest), replacement));
    }
    for (const re of this.custom) out = out.replace(re, () => replacement);
    this.lastText = s;
    this.lastTextOut = out;
    return out;
  };

  private couldMatch(s: string): boolean {
    return this.custom.length > 0 || (this.builtin.length > 0 && this.trigger.test(s));
  }

  /** Whether redaction would change v: the fast path's check, allocation-free. */
  private needs(v: AnyValue, depth: number): boolean {
    if (typeof v === 'string') return this.couldMatch(v);
    if (v === null || typeof v !== 'object' || isOpaqueTag(v)) return false;
    if (depth > MAX_DEPTH) return true;
    if (Array.isArray(v)) {
      for (const item of v) if (this.needs(item, depth + 1)) return true;
      return false;
    }
    for (const key of Object.keys(v)) {
      const item = v[key];
      if (this.isSecretKey(key) ? !isEmpty(item) : this.needs(item, depth + 1)) return true;
    }
    return false;
  }

  private needsAttributes(attrs: Attributes): boolean {
    const keys = Object.keys(attrs);
    if (!sameKeys(keys, this.memoKeys)) {
      this.memoKeys = keys;
      this.memoSecret = keys.map(this.isSecretKey);
      this.memoValues = new Array<unknown>(keys.length);
      this.memoCould = new Array<boolean>(keys.length);
    }
    for (let i = 0; i < keys.length; i++) {
      const item = attrs[keys[i]];
      if (this.memoSecret[i]) {
        if (!isEmpty(item)) return true;
      } else if (typeof item === 'string') {
        if (item !== this.memoValues[i]) {
          this.memoCould[i] = this.couldMatch(item);
          this.memoValues[i] = item;
        }
        if (this.memoCould[i]) return true;
      } else if (this.needs(item, 1)) {
        return true;
      }
    }
    return false;
  }

  private redactValue(v: AnyValue, depth: number): AnyValue {
    if (typeof v === 'string') return this.text(v);
    // Bytes and big ints (tagged-value.ts) are not text: a pattern matching their digits would corrupt them.
    if (v === null || typeof v !== 'object' || isOpaqueTag(v)) return v;
    if (depth > MAX_DEPTH) return this.replacement;
    if (Array.isArray(v)) return v.map((item) => this.redactValue(item, depth + 1));
    return this.redactObject(v, depth);
  }

  private redactObject(o: { [key: string]: AnyValue }, depth: number): { [key: string]: AnyValue } {
    const out: { [key: string]: AnyValue } = {};
    for (const key of Object.keys(o)) {
      const item = o[key];
      // null and '' reveal nothing and say "absent", which helps whoever debugs a missing credential.
      out[key] = this.isSecretKey(key) && !isEmpty(item) ? this.replacement : this.redactValue(item, depth + 1);
    }
    return out;
  }
}

function isEmpty(v: AnyValue): boolean {
  return v === null || v === '';
}

/** String.replace passes (match, ...captures, offset, input[, groups]); the captures end at the offset. */
function captures(rest: unknown[]): Array<string | undefined> {
  const end = rest.findIndex((x) => typeof x === 'number');
  return (end < 0 ? rest : rest.slice(0, end)) as Array<string | undefined>;
}

/** A global copy of the pattern; rejects invalid sources and patterns that match the empty string. */
export function compilePattern(p: string | RegExp): RegExp {
  let re: RegExp;
  try {
    re = typeof p === 'string' ? new RegExp(p, 'g') : new RegExp(p.source, p.flags.replace(/[gy]/g, '') + 'g');
  } catch (err) {
    throw new TypeError(`redact pattern ${JSON.stringify(String(p))} is not a valid regular expression: ${(err as Error).message}`);
  }
  if (new RegExp(re.source, re.flags.replace('g', '')).test('')) {
    throw new TypeError(`redact pattern ${JSON.stringify(re.source)} matches the empty string`);
  }
  return re;
}
