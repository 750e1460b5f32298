/**
 * The numeric fields of OTLP metric data points (OTLP JSON shape, as decodeMetrics gets it from JSON or from the
 * protobuf reader): doubles that must be finite, uint64 counts, int64 values, bucket lists, and exemplars.
 * Each returns the value or INVALID with the reason on the context, like fields.ts.
 */
import type { Exemplar, ExponentialBuckets, MetricValue } from '../model.js';
import { decodeKeyValueList } from './any-value.js';
import { isObject, isoFromNanos, readId, readNanos, readTime } from './fields.js';
import { fail, INVALID, within, type DecodeContext, type Invalid } from './limits.js';

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** A double: a JSON number, or "NaN" / "Infinity" / "-Infinity" as proto3 JSON writes them; refused unless finite. */
export function readFinite(ctx: DecodeContext, v: unknown): number | undefined | Invalid {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && v in NON_FINITE ? NON_FINITE[v] : v;
  if (typeof n !== 'number') return fail(ctx, '', 'not a number');
  if (!Number.isFinite(n)) return fail(ctx, '', `${String(n)} is not a valid value (NaN and ±Infinity are refused)`);
  return n;
}

/** A uint64 count as a number (exact up to 2^53). */
export function readCount(ctx: DecodeContext, v: unknown): number | Invalid {
  const n = readNanos(ctx, v);
  return n === INVALID ? n : Number(n);
}

const INT64 = /^-?\d{1,19}$/;

/**
 * An int64 (`asInt`): a JSON integer or a decimal string (the protobuf reader's sfixed64 too: a number when
 * exact, else its decimal string). A number when it is within ±(2^53 - 1); beyond, its exact decimal string
 * (MetricValue). Past int64 is refused.
 */
export function readInt64(ctx: DecodeContext, v: unknown): MetricValue | Invalid {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  // A JSON number beyond 2^53 lost its digits in JSON.parse already (senders write int64 as strings): kept as read.
  if (typeof v === 'number' && Number.isInteger(v)) return exactInt64(ctx, BigInt(v));
  // 19 digits pass the pattern up to 9,999,999,999,999,999,999: past int64 is refused, as any-value.ts does.
  if (typeof v === 'string' && INT64.test(v)) return v.length < 16 ? Number(v) : exactInt64(ctx, BigInt(v));
  return fail(ctx, '', 'not an int64 (integer or decimal string)');
}

function exactInt64(ctx: DecodeContext, big: bigint): MetricValue | Invalid {
  if (big !== BigInt.asIntN(64, big)) return fail(ctx, '', 'outside the int64 range');
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big.toString();
}

/** An int32 (scale, bucket offset). */
export function readInt32(ctx: DecodeContext, v: unknown): number | Invalid {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && /^-?\d{1,10}$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31) return n;
  return fail(ctx, '', 'not an int32');
}

/** A list read item by item with `read`; absent is empty. */
export function readList<T>(ctx: DecodeContext, v: unknown, read: (ctx: DecodeContext, item: unknown) => T | undefined | Invalid): T[] | Invalid {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(ctx, '', 'not an array');
  const out: T[] = new Array<T>(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = read(ctx, v[i]);
    if (x === INVALID) return within(ctx, `[${i}]`);
    if (x === undefined) return fail(ctx, `[${i}]`, 'missing');
    out[i] = x;
  }
  return out;
}

/** The value of a NumberDataPoint or an Exemplar: `asDouble` or `asInt`; undefined when neither is set. */
export function readNumberValue(ctx: DecodeContext, raw: Record<string, unknown>): MetricValue | undefined | Invalid {
  if (raw.asDouble !== undefined && raw.asDouble !== null) {
    const d = readFinite(ctx, raw.asDouble);
    return d === INVALID ? within(ctx, '.asDouble') : d;
  }
  if (raw.asInt !== undefined && raw.asInt !== null) {
    const i = readInt64(ctx, raw.asInt);
    return i === INVALID ? within(ctx, '.asInt') : i;
  }
  return undefined;
}

export function readBuckets(ctx: DecodeContext, v: unknown): ExponentialBuckets | undefined | Invalid {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) return fail(ctx, '', 'not an object');
  const offset = readInt32(ctx, v.offset);
  if (offset === INVALID) return within(ctx, '.offset');
  const counts = readList(ctx, v.bucketCounts, readCount);
  if (counts === INVALID) return within(ctx, '.bucketCounts');
  return { offset, bucket_counts: counts };
}

function readExemplar(ctx: DecodeContext, e: unknown): Exemplar | Invalid {
  if (!isObject(e)) return fail(ctx, '', 'not an object');
  const time = readTime(ctx, e.timeUnixNano);
  if (time === INVALID) return within(ctx, '.timeUnixNano');
  if (time === 0n) return fail(ctx, '.timeUnixNano', 'missing');
  const value = readNumberValue(ctx, e);
  if (value === INVALID) return value;
  if (value === undefined) return fail(ctx, '', 'no value (asDouble or asInt)');
  const traceId = readId(ctx, e.traceId, 32);
  if (traceId === INVALID) return within(ctx, '.traceId');
  const spanId = readId(ctx, e.spanId, 16);
  if (spanId === INVALID) return within(ctx, '.spanId');
  const attributes = decodeKeyValueList(ctx, e.filteredAttributes, 0, true);
  if (attributes === INVALID) return within(ctx, '.filteredAttributes');
  const out: Exemplar = { time: isoFromNanos(ctx, time), value, filtered_attributes: attributes };
  if (traceId) out.trace_id = traceId;
  if (spanId) out.span_id = spanId;
  return out;
}

export function readExemplars(ctx: DecodeContext, v: unknown): Exemplar[] | Invalid {
  return readList(ctx, v, readExemplar);
}

/** Strictly increasing finite bounds (explicit histogram buckets). */
export function readBounds(ctx: DecodeContext, v: unknown): number[] | Invalid {
  const bounds = readList(ctx, v, readFinite);
  if (bounds === INVALID) return bounds;
  for (let i = 1; i < bounds.length; i++) {
    if (!(bounds[i] > bounds[i - 1])) return fail(ctx, `[${i}]`, 'explicit bounds must be strictly increasing');
  }
  return bounds;
}

export function total(counts: readonly number[]): number {
  let n = 0;
  for (const c of counts) n += c;
  return n;
}
