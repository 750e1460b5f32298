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
  const replacement = opts.replacement ?? DEFAULT_REPLACEMENT;
  let builtin: ValuePattern[] = builtinPatterns(isSecretKey);
  let trigger = BUILTIN_TRIGGER;
  if (!useDefaults) {
    // Without the defaults, only the patterns that look for the configured keys inside text remain.
    builtin = keys.length > 0 ? builtin.filter((p) => KEY_PATTERNS.has(p.name)) : [];
    trigger = KEY_TRIGGER;
  }
  const custom = (opts.patterns ?? []).map(compilePattern);
  const redactsAnything = keys.length > 0 || builtin.length > 0 || custom.length > 0;

  const couldMatch = (s: string): boolean => custom.length > 0 || (builtin.length > 0 && trigger.test(s));

  // Log bodies are mostly message templates: the last one's result is kept.
  let lastText: string | undefined;
  let lastTextOut = '';
  const text = (s: string): string => {
    if (s === lastText) return lastTextOut;
    let out = s;
    if (builtin.length > 0 && trigger.test(s)) {
      for (const p of builtin) out = out.replace(p.re, (m: string, ...rest: unknown[]) => p.replace(m, captures(rest), replacement));
    }
    for (const re of custom) out = out.replace(re, () => replacement);
    lastText = s;
    lastTextOut = out;
    return out;
  };

  /** Whether redaction would change v: the fast path's check, allocation-free. */
  const needs = (v: AnyValue, depth: number): boolean => {
    if (typeof v === 'string') return couldMatch(v);
    if (v === null || typeof v !== 'object' || isOpaqueTag(v)) return false;
    if (depth > MAX_DEPTH) return true;
    if (Array.isArray(v)) {
      for (const item of v) if (needs(item, depth + 1)) return true;
      return false;
    }
    for (const key of Object.keys(v)) {
      const item = v[key];
      if (isSecretKey(key) ? !isEmpty(item) : needs(item, depth + 1)) return true;
    }
    return false;
  };

  // A one-entry memo of the last top-level attribute shape: which keys name a secret, and per position the
  // last string value and whether it could match. Consecutive records from one call site mostly repeat both.
  let memoKeys: readonly string[] = [];
  let memoSecret: boolean[] = [];
  let memoValues: unknown[] = [];
  let memoCould: boolean[] = [];
  const needsAttributes = (attrs: Attributes): boolean => {
    const keys = Object.keys(attrs);
    if (!sameKeys(keys, memoKeys)) {
      memoKeys = keys;
      memoSecret = keys.map(isSecretKey);
      memoValues = new Array<unknown>(keys.length);
      memoCould = new Array<boolean>(keys.length);
    }
    for (let i = 0; i < keys.length; i++) {
      const item = attrs[keys[i]];
      if (memoSecret[i]) {
        if (!isEmpty(item)) return true;
      } else if (typeof item === 'string') {
        if (item !== memoValues[i]) {
          memoCould[i] = couldMatch(item);
          memoValues[i] = item;
        }
        if (memoCould[i]) return true;
      } else if (needs(item, 1)) {
        return true;
      }
    }
    return false;
  };

  const redactValue = (v: AnyValue, depth: number): AnyValue => {
    if (typeof v === 'string') return text(v);
    // Bytes and big ints (tagged-value.ts) are not text: a pattern matching their digits would corrupt them.
    if (v === null || typeof v !== 'object' || isOpaqueTag(v)) return v;
    if (depth > MAX_DEPTH) return replacement;
    if (Array.isArray(v)) return v.map((item) => redactValue(item, depth + 1));
    return redactObject(v, depth);
  };

  const redactObject = (o: { [key: string]: AnyValue }, depth: number): { [key: string]: AnyValue } => {
    const out: { [key: string]: AnyValue } = {};
    for (const key of Object.keys(o)) {
      const item = o[key];
      // null and '' reveal nothing and say "absent", which helps whoever debugs a missing credential.
      out[key] = isSecretKey(key) && !isEmpty(item) ? replacement : redactValue(item, depth + 1);
    }
    return out;
  };

  if (!redactsAnything) {
    return { attributes: (a) => a, value: (v) => v, text: (s) => s, redactsAnything };
  }
  return {
    attributes: (attrs) => (needsAttributes(attrs) ? (redactObject(attrs, 0) as Attributes) : attrs),
    value: (v) => (needs(v, 0) ? redactValue(v, 0) : v),
    text,
    redactsAnything,
  };
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
