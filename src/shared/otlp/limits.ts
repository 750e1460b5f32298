/**
 * Decode limits, the per-call decode context and the bounded error list. The context carries the reason
 * of the last failure as a relative path plus a message: decoders return the INVALID sentinel and each
 * level prepends its own path segment on the way out, so no path string is built unless something fails.
 */
import type { Attributes, InstrumentationScope } from '../model.js';

export interface DecodeLimits {
  /** Attributes kept per record (and per resource, scope, event, link); the rest are dropped and counted. */
  maxAttributes: number;
  /** Longer string values are truncated (and counted), not rejected. */
  maxAttributeValueLength: number;
  /** Nesting of arrayValue/kvlistValue deeper than this rejects the record. */
  maxDepth: number;
  /** A longer attribute or kvlist key rejects the record. */
  maxKeyLength: number;
  /** A longer string log body is truncated (and counted). */
  maxBodyLength: number;
  /** Earlier timestamps reject the record. Default: 2000-01-01T00:00:00Z. */
  minTimeUnixNano: bigint;
  /** Later timestamps reject the record. Default: `nowMs + maxFutureMs`. */
  maxTimeUnixNano?: bigint;
  /** How far ahead of `nowMs` a timestamp may be when `maxTimeUnixNano` is not given. Default: 1 day. */
  maxFutureMs: number;
  /** The receive time: used for records with no timestamp at all. Default: Date.now() at the call. */
  nowMs?: number;
}

export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxAttributes: 128,
  maxAttributeValueLength: 16_384,
  maxDepth: 8,
  maxKeyLength: 256,
  maxBodyLength: 65_536,
  minTimeUnixNano: 946_684_800_000_000_000n,
  maxFutureMs: 86_400_000,
});

/**
 * What a decode returns: the valid records, how many were rejected, and why (short messages with the
 * path of the offending field, deduplicated, at most MAX_ERRORS of them). Records empty, rejected 0 and
 * errors not empty means the request itself was not an OTLP request (the ingest answers 400).
 */
export interface DecodeResult<T> {
  records: T[];
  rejected: number;
  errors: string[];
  /** Strings cut to a length limit. */
  truncated?: number;
  /** Attributes dropped beyond maxAttributes (also added to each record's dropped_attributes_count). */
  droppedAttributes?: number;
}

export const MAX_ERRORS = 20;

/** The sentinel every decoder returns on failure, after setting the context's reason. */
export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

export interface DecodeContext {
  readonly maxAttributes: number;
  readonly maxValueLength: number;
  readonly maxDepth: number;
  readonly maxKeyLength: number;
  readonly maxBodyLength: number;
  readonly minNanos: bigint;
  readonly maxNanos: bigint;
  readonly nowMs: number;
  /** Relative path of the last failure, e.g. `.attributes[2].value`; prepended to on the way out. */
  errPath: string;
  errMsg: string;
  /** Attributes dropped by the last decodeKeyValueList call. */
  lastDropped: number;
  /** A valid `log.record.uid` captured (not assigned) by the last attribute decode that asked for it. */
  capturedUid: string | undefined;
  truncated: number;
  droppedAttributes: number;
  /** One-entry cache of the formatted second (toISOString costs ~600 ns; a request's records share seconds). */
  isoSecond: bigint;
  isoPrefix: string;
}

function nonNegativeInt(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new TypeError(`decode limits: ${name} must be a non-negative integer, got ${String(v)}`);
  }
  return v;
}

/** Resolves partial limits against the defaults. Invalid limits are configuration errors: they throw, naming the field. */
export function createContext(partial: Partial<DecodeLimits> = {}): DecodeContext {
  const d = DEFAULT_DECODE_LIMITS;
  const nowMs = partial.nowMs ?? Date.now();
  if (!Number.isFinite(nowMs)) throw new TypeError(`decode limits: nowMs must be a finite number`);
  const maxFutureMs = nonNegativeInt('maxFutureMs', partial.maxFutureMs, d.maxFutureMs);
  const minNanos = partial.minTimeUnixNano ?? d.minTimeUnixNano;
  const maxNanos = partial.maxTimeUnixNano ?? BigInt(Math.floor(nowMs + maxFutureMs)) * 1_000_000n;
  if (typeof minNanos !== 'bigint') throw new TypeError('decode limits: minTimeUnixNano must be a bigint');
  if (typeof maxNanos !== 'bigint') throw new TypeError('decode limits: maxTimeUnixNano must be a bigint');
  return {
    maxAttributes: nonNegativeInt('maxAttributes', partial.maxAttributes, d.maxAttributes),
    maxValueLength: nonNegativeInt('maxAttributeValueLength', partial.maxAttributeValueLength, d.maxAttributeValueLength),
    maxDepth: nonNegativeInt('maxDepth', partial.maxDepth, d.maxDepth),
    maxKeyLength: nonNegativeInt('maxKeyLength', partial.maxKeyLength, d.maxKeyLength),
    maxBodyLength: nonNegativeInt('maxBodyLength', partial.maxBodyLength, d.maxBodyLength),
    minNanos,
    maxNanos,
    nowMs,
    errPath: '',
    errMsg: '',
    lastDropped: 0,
    capturedUid: undefined,
    truncated: 0,
    droppedAttributes: 0,
    isoSecond: -1n,
    isoPrefix: '',
  };
}

/** Records a failure at `path` (relative to the current value) and returns the sentinel. */
export function fail(ctx: DecodeContext, path: string, message: string): Invalid {
  ctx.errPath = path;
  ctx.errMsg = message;
  return INVALID;
}

/** Prepends a path segment to the recorded failure and passes the sentinel on. */
export function within(ctx: DecodeContext, segment: string): Invalid {
  ctx.errPath = segment + ctx.errPath;
  return INVALID;
}

/** A deduplicated list of at most `max` messages; the ones beyond are summarised in a last line. */
export function createErrorList(max = MAX_ERRORS): { add(message: string): void; list(): string[] } {
  const seen = new Set<string>();
  let more = 0;
  return {
    add(message) {
      if (seen.has(message)) return;
      if (seen.size >= max) more++;
      else seen.add(message);
    },
    list() {
      const out = Array.from(seen);
      if (more > 0) out.push(`(${more} more error${more === 1 ? '' : 's'} not shown)`);
      return out;
    },
  };
}

/** What the records of one ScopeLogs/ScopeSpans share: the resource, its schema_url, and the scope. */
export interface RecordGroup {
  resource: Attributes;
  resourceSchemaUrl: string | undefined;
  scope: InstrumentationScope;
}
