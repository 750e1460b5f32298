import type { AnyValue } from './model.js';

/**
 * The two OTLP AnyValue kinds plain JSON cannot carry, as tagged one-key objects in the model:
 * - `{"$bytes": "<base64>"}`: a bytesValue (a base64 string alone would read back as a stringValue);
 * - `{"$int": "<decimal>"}`: an intValue outside ±(2^53 - 1), which a JSON number cannot hold exactly
 *   (a decimal string alone would read back as a stringValue).
 * A kvlist that itself has exactly one key, and that key is one of `$bytes`, `$int`, `$map`, is stored as
 * `{"$map": {...}}`, so no map is ever mistaken for a tag and every value reads back as the kind it was.
 * Plain JSON, so the write-ahead log, JSONL, JSONB and Elasticsearch's `_source` keep them unchanged.
 */
export const BYTES_TAG = '$bytes';
export const INT_TAG = '$int';
export const MAP_TAG = '$map';

export type AnyMap = { [key: string]: AnyValue };

const INT64_TEXT = /^-?\d{1,19}$/;
/** Standard base64 (what OTLP JSON's bytes are); the length is checked by whoever needs it. */
export const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The only key of `o`, or undefined when it has none or several (no allocation). */
export function onlyKey(o: object): string | undefined {
  let only: string | undefined;
  let n = 0;
  for (const k in o) {
    if (++n > 1) return undefined;
    only = k;
  }
  return only;
}

/** What the only key `key` with value `v` makes of an object: a tag, or undefined (a plain map). */
export function tagKind(key: string, v: unknown): 'bytes' | 'int' | 'map' | undefined {
  if (key === BYTES_TAG) return typeof v === 'string' && BASE64.test(v) ? 'bytes' : undefined;
  if (key === INT_TAG) return typeof v === 'string' && INT64_TEXT.test(v) ? 'int' : undefined;
  if (key === MAP_TAG) return typeof v === 'object' && v !== null && !Array.isArray(v) ? 'map' : undefined;
  return undefined;
}

/** What a model object stands for: a tagged bytes or int value, or a map (unwrapped from `$map`). */
export function readTagged(o: AnyMap): { bytes: string } | { int: string } | { map: AnyMap } {
  const key = onlyKey(o);
  const v = key === undefined ? undefined : o[key];
  switch (key === undefined ? undefined : tagKind(key, v)) {
    case 'bytes':
      return { bytes: v as string };
    case 'int':
      return { int: v as string };
    case 'map':
      return { map: v as AnyMap };
    default:
      return { map: o };
  }
}

/** True for `{$bytes}` and `{$int}`: values to keep whole (never scanned as text, e.g. by redaction). */
export function isOpaqueTag(v: AnyValue): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return !('map' in readTagged(v));
}

export function bytesValue(base64: string): AnyValue {
  return { [BYTES_TAG]: base64 };
}

export function intValue(decimal: string): AnyValue {
  return { [INT_TAG]: decimal };
}

/** A decoded kvlist as the model keeps it: wrapped in `$map` only when it would read as a tag. */
export function mapValue(m: AnyMap): AnyValue {
  const key = onlyKey(m);
  return key === BYTES_TAG || key === INT_TAG || key === MAP_TAG ? { [MAP_TAG]: m } : m;
}
