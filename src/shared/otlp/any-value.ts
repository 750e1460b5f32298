/**
 * AnyValue and KeyValue lists, both directions. The model's AnyValue is plain JSON: OTLP intValue becomes
 * a number (`{"$int": "<decimal>"}` beyond ±(2^53 - 1), to stay exact and an int), doubleValue a number
 * (NaN and the infinities their proto3 JSON names as strings), bytesValue `{"$bytes": "<base64>"}`, the
 * empty value null (tagged-value.ts). Encoding writes every map as a kvlistValue, which is exact for what
 * an SDK builds; encode-exact.ts turns the tagged forms of decoded records back into their kinds.
 */
import type { AnyValue, Attributes } from '../model.js';
import { BASE64, bytesValue, intValue, mapValue } from '../tagged-value.js';
import type { OtlpAnyValue, OtlpKeyValue } from './types.js';
import { fail, INVALID, within, type DecodeContext, type Invalid } from './limits.js';
import { isObject, isWellFormed, readString } from './fields.js';

export const LOG_RECORD_UID = 'log.record.uid';
const VALID_UID = /^[A-Za-z0-9._:-]{1,128}$/;

// Assigning these onto a plain object would change its prototype or shadow what code expects there.
function isForbiddenKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

// Encoding is bounded so that a cyclic object handed in by mistake cannot overflow the stack.
const MAX_ENCODE_DEPTH = 64;

export function encodeAnyValue(v: AnyValue | undefined, depth = 0): OtlpAnyValue {
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'number':
      // int64 as a decimal string: the proto3 JSON form (receivers accept numbers too).
      if (Number.isSafeInteger(v)) return { intValue: String(v) };
      return Number.isFinite(v) ? { doubleValue: v } : { stringValue: String(v) };
    default:
      break;
  }
  if (v === null || typeof v !== 'object') return {};
  if (depth >= MAX_ENCODE_DEPTH) return { stringValue: '[MaxDepth]' };
  if (Array.isArray(v)) {
    const values: OtlpAnyValue[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) values[i] = encodeAnyValue(v[i], depth + 1);
    return { arrayValue: { values } };
  }
  return { kvlistValue: { values: encodeKeyValues(v, depth + 1) } };
}

export function encodeKeyValues(attrs: Attributes, depth = 0): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const key of Object.keys(attrs)) {
    const value = attrs[key];
    if (value !== undefined) out.push({ key, value: encodeAnyValue(value, depth) });
  }
  return out;
}

const INT_MSG = 'not an int64 (decimal string or integer)';

function readInt(ctx: DecodeContext, x: unknown): AnyValue | Invalid {
  if (typeof x === 'number') {
    if (Number.isSafeInteger(x)) return x;
    // A JSON number beyond 2^53 has already lost digits in JSON.parse (senders should use the decimal
    // string, as proto3 JSON says); it is still an int, so it is kept as one.
    return Number.isInteger(x) ? readInt(ctx, BigInt(x).toString()) : fail(ctx, '', INT_MSG);
  }
  if (typeof x !== 'string' || x.length === 0 || x.length > 20) return fail(ctx, '', INT_MSG);
  for (let i = x.charCodeAt(0) === 45 ? 1 : 0, n = 0; i < x.length; i++, n++) {
    const c = x.charCodeAt(i);
    if (c < 48 || c > 57 || n >= 19) return fail(ctx, '', INT_MSG);
  }
  if (x === '-') return fail(ctx, '', INT_MSG);
  if (x.length <= 15) return Number(x);
  const big = BigInt(x);
  if (big !== BigInt.asIntN(64, big)) return fail(ctx, '', 'outside the int64 range');
  const n = Number(big);
  // Beyond 2^53 a number would lose digits: keep the exact decimal text, tagged as an int.
  return Number.isSafeInteger(n) ? n : intValue(big.toString());
}

function readDouble(ctx: DecodeContext, x: unknown): AnyValue | Invalid {
  if (typeof x === 'number') return x;
  if (x === 'NaN' || x === 'Infinity' || x === '-Infinity') return x;
  if (typeof x === 'string' && x.trim() !== '') {
    const n = Number(x);
    if (!Number.isNaN(n)) return Number.isFinite(n) ? n : String(n);
  }
  return fail(ctx, '', 'not a double');
}

function readBytes(ctx: DecodeContext, x: unknown): AnyValue | Invalid {
  if (typeof x !== 'string' || x.length % 4 === 1 || !BASE64.test(x)) return fail(ctx, '', 'not base64');
  if (x.length > ctx.maxValueLength) {
    ctx.truncated++;
    return bytesValue(x.slice(0, ctx.maxValueLength - (ctx.maxValueLength % 4)));
  }
  return bytesValue(x);
}

/**
 * One AnyValue. `depth` counts the enclosing arrays/kvlists; `maxLength` applies to a string at this level
 * (the body's limit for a log body, the attribute value limit everywhere else).
 */
export function decodeAnyValue(ctx: DecodeContext, v: unknown, depth: number, maxLength: number): AnyValue | Invalid {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) return fail(ctx, '', 'not an AnyValue object');
  let out: AnyValue | Invalid | undefined = null;
  let kinds = 0;
  for (const k in v) {
    const x = v[k];
    if (x === undefined || x === null) continue; // proto3 JSON: null is the field's default, i.e. unset
    switch (k) {
      case 'stringValue':
        out = readString(ctx, x, maxLength);
        break;
      case 'boolValue':
        out = typeof x === 'boolean' ? x : fail(ctx, '', 'not a boolean');
        break;
      case 'intValue':
        out = readInt(ctx, x);
        break;
      case 'doubleValue':
        out = readDouble(ctx, x);
        break;
      case 'bytesValue':
        out = readBytes(ctx, x);
        break;
      case 'arrayValue':
        out = decodeArray(ctx, x, depth + 1);
        break;
      case 'kvlistValue':
        out = isObject(x) ? decodeKvlist(ctx, x.values, depth + 1) : fail(ctx, '', 'not an object');
        break;
      default:
        continue; // unknown fields are ignored
    }
    if (out === INVALID) return within(ctx, `.${k}`);
    if (++kinds > 1) return fail(ctx, '', 'more than one value kind set');
  }
  return out === undefined ? null : out;
}

function decodeArray(ctx: DecodeContext, x: unknown, depth: number): AnyValue | Invalid {
  if (depth > ctx.maxDepth) return fail(ctx, '', `nested deeper than ${ctx.maxDepth}`);
  if (!isObject(x)) return fail(ctx, '', 'not an object');
  const list = x.values;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return fail(ctx, '.values', 'not an array');
  const out: AnyValue[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const item = decodeAnyValue(ctx, list[i], depth, ctx.maxValueLength);
    if (item === INVALID) return within(ctx, `.values[${i}]`);
    out[i] = item;
  }
  return out;
}

function decodeKvlist(ctx: DecodeContext, list: unknown, depth: number): AnyValue | Invalid {
  const map = decodeKeyValueList(ctx, list, depth, false);
  return map === INVALID ? map : mapValue(map);
}

/**
 * A KeyValue list: record/resource/scope attributes (`attributes` true: keys must be non-empty, at most
 * maxAttributes are kept and the rest counted in ctx.lastDropped) or a kvlistValue (`depth` > 0).
 * With `captureUid`, a valid log.record.uid goes to ctx.capturedUid instead of into the map.
 */
export function decodeKeyValueList(
  ctx: DecodeContext,
  list: unknown,
  depth: number,
  attributes: boolean,
  captureUid = false,
): Attributes | Invalid {
  const out: Attributes = {};
  if (attributes) ctx.lastDropped = 0;
  if (list === undefined || list === null) return out;
  if (depth > ctx.maxDepth) return fail(ctx, '', `nested deeper than ${ctx.maxDepth}`);
  const prefix = depth > 0 ? '.values' : '';
  if (!Array.isArray(list)) return fail(ctx, prefix, 'not an array');
  let n = 0;
  for (let i = 0; i < list.length; i++) {
    const kv: unknown = list[i];
    if (!isObject(kv)) return fail(ctx, `${prefix}[${i}]`, 'not a KeyValue object');
    const key = kv.key;
    if (typeof key !== 'string') return fail(ctx, `${prefix}[${i}].key`, 'not a string');
    if (key.length > ctx.maxKeyLength) return fail(ctx, `${prefix}[${i}].key`, `longer than ${ctx.maxKeyLength} characters`);
    if (isForbiddenKey(key)) return fail(ctx, `${prefix}[${i}].key`, `forbidden key "${key}"`);
    if (!isWellFormed(key)) return fail(ctx, `${prefix}[${i}].key`, 'invalid UTF-16 (lone surrogate)');
    if (attributes && key === '') return fail(ctx, `${prefix}[${i}].key`, 'empty');
    const isNew = !Object.hasOwn(out, key);
    const maybeUid = captureUid && key === LOG_RECORD_UID;
    if (attributes && isNew && n >= ctx.maxAttributes && !maybeUid) {
      ctx.lastDropped++;
      ctx.droppedAttributes++;
      continue;
    }
    const value = decodeAnyValue(ctx, kv.value, depth, ctx.maxValueLength);
    if (value === INVALID) return within(ctx, `${prefix}[${i}].value`);
    if (maybeUid && typeof value === 'string' && VALID_UID.test(value)) {
      ctx.capturedUid = value;
      continue;
    }
    if (maybeUid && isNew && n >= ctx.maxAttributes) {
      ctx.lastDropped++;
      ctx.droppedAttributes++;
      continue;
    }
    out[key] = value;
    if (isNew) n++;
  }
  return out;
}
