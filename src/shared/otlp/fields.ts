/**
 * Readers for the scalar fields of OTLP JSON: strings (well-formed UTF-16, truncated to a limit), ids
 * (hex, normalised to lowercase; base64 as some protobuf-JSON mappers send is converted), uint64
 * nanosecond times (decimal string or number), uint32 counts and flags, and enums (integer or name).
 * Each returns the value, `undefined` for absent (null, missing, or the proto3 default), or INVALID with
 * the reason set on the context.
 */
import { fail, INVALID, type DecodeContext, type Invalid } from './limits.js';

type WellFormed = { isWellFormed(): boolean };
const NATIVE_WELL_FORMED = typeof (String.prototype as Partial<WellFormed>).isWellFormed === 'function';
// In unicode mode a well-formed surrogate pair is one code point, so \p{Cs} only matches lone surrogates.
const LONE_SURROGATE = /\p{Cs}/u;

/** True when the string has no lone surrogate (it can be encoded as UTF-8). */
export function isWellFormed(s: string): boolean {
  return NATIVE_WELL_FORMED ? (s as unknown as WellFormed).isWellFormed() : !LONE_SURROGATE.test(s);
}

/** Cuts to `max` characters (never inside a surrogate pair) and says how much was cut. */
export function truncate(s: string, max: number): string {
  let end = max;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${s.slice(0, end)}…[truncated ${s.length - end} chars]`;
}

/** A string value: checked for lone surrogates, truncated (and counted) beyond `max`. */
export function readString(ctx: DecodeContext, v: unknown, max: number): string | undefined | Invalid {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return fail(ctx, '', `not a string`);
  if (!isWellFormed(v)) return fail(ctx, '', 'invalid UTF-16 (lone surrogate)');
  if (v.length > max) {
    ctx.truncated++;
    return truncate(v, max);
  }
  return v;
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[65 + i] = 10 + i;
  HEX_VALUE[97 + i] = 10 + i;
}
const HEX = '0123456789abcdef';
const B64_VALUE = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => {
  B64_VALUE[c.charCodeAt(0)] = i;
});

/** base64 of `bytes` bytes (24 chars for 16, 12 for 8) to hex; undefined when it is not that. */
function base64IdToHex(s: string, bytes: number): string | undefined {
  const len = Math.ceil(bytes / 3) * 4;
  if (s.length !== len) return undefined;
  let out = '';
  let bits = 0;
  let acc = 0;
  let n = 0;
  for (let i = 0; i < len && n < bytes; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_VALUE[c] : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const byte = (acc >> bits) & 0xff;
      out += HEX[byte >> 4] + HEX[byte & 15];
      n++;
    }
  }
  return n === bytes ? out : undefined;
}

/**
 * A trace id (hexLength 32) or span id (16). Hex in either case → lowercase; '' and all zeros → absent
 * (both mean "no id" in OTLP); a base64 id of the right byte length is converted.
 */
export function readId(ctx: DecodeContext, v: unknown, hexLength: number): string | undefined | Invalid {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return fail(ctx, '', 'not a string');
  let id: string | undefined;
  if (v.length === hexLength) {
    let lower = true;
    let zero = true;
    for (let i = 0; i < hexLength; i++) {
      const c = v.charCodeAt(i);
      const x = c < 128 ? HEX_VALUE[c] : -1;
      if (x < 0) return fail(ctx, '', `not ${hexLength} hex digits`);
      if (x !== 0) zero = false;
      if (c >= 65 && c <= 70) lower = false;
    }
    if (zero) return undefined;
    id = lower ? v : v.toLowerCase();
  } else {
    id = base64IdToHex(v, hexLength / 2);
    if (id === undefined) return fail(ctx, '', `not ${hexLength} hex digits`);
    if (/^0+$/.test(id)) return undefined;
  }
  return id;
}

const UINT64_MAX = 18_446_744_073_709_551_615n;

/** A uint64 nanosecond time as a decimal string or a number; 0n when absent or 0 (unset in OTLP). */
export function readNanos(ctx: DecodeContext, v: unknown): bigint | Invalid {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'string') {
    const len = v.length;
    if (len === 0 || len > 20) return fail(ctx, '', 'not a uint64 (decimal string or number)');
    for (let i = 0; i < len; i++) {
      const c = v.charCodeAt(i);
      if (c < 48 || c > 57) return fail(ctx, '', 'not a uint64 (decimal string or number)');
    }
    const n = BigInt(v);
    return n > UINT64_MAX ? fail(ctx, '', 'larger than uint64') : n;
  }
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 64) return BigInt(v);
  return fail(ctx, '', 'not a uint64 (decimal string or number)');
}

/** A timestamp within the limits (0 stays 0: the caller decides what unset means). */
export function readTime(ctx: DecodeContext, v: unknown): bigint | Invalid {
  const n = readNanos(ctx, v);
  if (n === INVALID || n === 0n) return n;
  if (n < ctx.minNanos || n > ctx.maxNanos) return fail(ctx, '', 'timestamp out of the accepted range');
  return n;
}

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * Nanoseconds to the model's ISO form: six fraction digits, nine when the nanoseconds are not whole
 * microseconds (as nanosToIso in time.ts), with the date part cached per second on the context.
 */
export function isoFromNanos(ctx: DecodeContext, nanos: bigint): string {
  const second = nanos / NANOS_PER_SECOND;
  if (second !== ctx.isoSecond) {
    ctx.isoSecond = second;
    ctx.isoPrefix = new Date(Number(second) * 1000).toISOString().slice(0, 20); // 2025-07-06T10:34:56.
  }
  const frac = Number(nanos - second * NANOS_PER_SECOND);
  const digits = frac % 1000 === 0 ? String(frac / 1000).padStart(6, '0') : String(frac).padStart(9, '0');
  return `${ctx.isoPrefix}${digits}Z`;
}

const DECIMAL = /^\d{1,10}$/;

/** A uint32 (counts, flags) as a number or a decimal string; undefined when absent. */
export function readUint32(ctx: DecodeContext, v: unknown): number | undefined | Invalid {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && DECIMAL.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff) return n;
  return fail(ctx, '', 'not a uint32');
}

/**
 * An enum as its integer (the OTLP JSON form) or, as proto3 JSON also allows, its name: `prefix` + the
 * model name (e.g. SPAN_KIND_ + SERVER). Returns the integer, 0 when absent.
 */
export function readEnum(ctx: DecodeContext, v: unknown, names: readonly string[], prefix: string): number | Invalid {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v < names.length) return v;
  } else if (typeof v === 'string' && v.startsWith(prefix)) {
    const i = names.indexOf(v.slice(prefix.length));
    if (i >= 0) return i;
  }
  return fail(ctx, '', `not an integer 0..${names.length - 1}`);
}

/** Is it a plain JSON object (not null, not an array)? */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
