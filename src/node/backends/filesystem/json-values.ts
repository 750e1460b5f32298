import type { AnyValue, Attributes } from '../../../shared/model.js';
import { sameKeys } from '../../../shared/same-keys.js';

/**
 * JSON of log bodies and attribute maps, exactly as JSON.stringify writes them, for the JSON-lines encoder.
 *
 * Flat strings, numbers and booleans are serialized here, anything else by JSON.stringify. One-entry memos of
 * the last attribute shape (its keys) and, per position, the last string value make a record from the same
 * call site as the last one cost a few comparisons; and each attribute becomes one piece of the line rather
 * than three, which halves the work of flattening the line when it is written (measured with `perf` on the
 * bench VM: string flattening was the largest single cost of encoding). The memos are pure caches: whatever
 * they hold, the output is the same.
 */

/** Characters JSON.stringify would escape: quote, backslash, controls, and (lone) surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

export function stringJson(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

/** `"key":` for the keys seen so far; applications use a few hundred, past the limit the cache is cleared. */
const keyCache = new Map<string, string>();
function keyJson(k: string): string {
  let j = keyCache.get(k);
  if (j === undefined) {
    j = stringJson(k) + ':';
    if (keyCache.size >= 4096) keyCache.clear();
    keyCache.set(k, j);
  }
  return j;
}

/** The last attribute shape: per position the member prefix (`"k":`, then `,"k":`), last string value, member. */
class ShapeMemo {
  keys: readonly string[] = [];
  prefix: string[] = [];
  values: unknown[] = [];
  members: string[] = [];

  use(keys: readonly string[]): void {
    if (sameKeys(keys, this.keys)) return;
    this.keys = keys;
    this.prefix = keys.map((k, i) => (i === 0 ? keyJson(k) : ',' + keyJson(k)));
    this.values = new Array<unknown>(keys.length);
    this.members = new Array<string>(keys.length);
  }

  stringMember(i: number, v: string): string {
    if (v === this.values[i]) return this.members[i];
    const m = this.prefix[i] + stringJson(v);
    this.values[i] = v;
    this.members[i] = m;
    return m;
  }
}
const shape = new ShapeMemo();

/**
 * Exactly `JSON.stringify(attrs)`: own enumerable keys in order; undefined, functions and symbols left out;
 * non-finite numbers as null. Throws where JSON.stringify throws (a BigInt), which the caller counts.
 */
export function attributesJson(attrs: Attributes): string {
  if (typeof (attrs as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(attrs);
  const keys = Object.keys(attrs);
  shape.use(keys);
  let s = '';
  for (let i = 0; i < keys.length; i++) {
    const v: AnyValue | undefined = attrs[keys[i]];
    let m: string;
    switch (typeof v) {
      case 'string':
        m = shape.stringMember(i, v);
        break;
      case 'number':
        m = shape.prefix[i] + (Number.isFinite(v) ? '' + v : 'null');
        break;
      case 'boolean':
        m = shape.prefix[i] + (v ? 'true' : 'false');
        break;
      default: {
        // null, arrays and maps; or undefined, a function or a symbol, which JSON leaves out.
        const j = JSON.stringify(v) as string | undefined;
        if (j === undefined) continue;
        m = shape.prefix[i] + j;
      }
    }
    // Only the first member written has no comma; it is not at position 0 only when that value was left out.
    s += s.length === 0 && i > 0 ? m.slice(1) : m;
  }
  return '{' + s + '}';
}

export function bodyJson(v: AnyValue): string {
  return typeof v === 'string' ? stringJson(v) : ((JSON.stringify(v) as string | undefined) ?? 'null');
}
