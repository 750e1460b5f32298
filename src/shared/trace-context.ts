/**
 * W3C Trace Context: the `traceparent` and `tracestate` HTTP headers, as published today: Level 1
 * (Recommendation, https://www.w3.org/TR/trace-context-1/) and Level 2 (https://www.w3.org/TR/trace-context-2/),
 * which adds the random-trace-id flag and the simpler tracestate key grammar (a superset of Level 1's: every
 * Level 1 key, multi-tenant `tenant@system` ones included, is still valid). Edge cases follow the
 * w3c/trace-context test suite where it agrees with the Level 2 text.
 *
 * These run on every request, so `traceparent` is read with charCodeAt and a lookup table (no regex,
 * no split: the only allocations are the two id slices and the result object), and the tracestate
 * regexes are compiled once at module load. Nothing here throws: invalid input gives `null`.
 *
 * What a caller does with `null` from parseTraceparent / extractTraceContext: restart the trace (new
 * trace id, new span id, sampling decided locally) and drop any tracestate. Never fail the request.
 */

export interface TraceParent {
  /** Two lowercase hex digits: '00', or a higher version whose first four fields parsed. */
  version: string;
  traceId: string;
  /** The caller's span id (the spec's `parent-id`). */
  spanId: string;
  /** All 8 bits as received; bit 0 (0x01) is `sampled`. */
  traceFlags: number;
}

/** Ordered list members, leftmost = most recently updated. */
export type TraceState = Array<[key: string, value: string]>;

/** trace-flags bit 0: the caller may have recorded trace data. */
export const FLAG_SAMPLED = 0x01;
/** trace-flags bit 1 (Level 2): at least the right-most 7 bytes of the trace-id are random. */
export const FLAG_RANDOM = 0x02;
/** The flags this code understands; the others are reserved ("vendors MUST set those to zero"). */
export const KNOWN_FLAGS = FLAG_SAMPLED | FLAG_RANDOM;

const DASH = 0x2d;
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[0x61 + i] = 10 + i; // lowercase only: uppercase is invalid
const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Value of the lowercase hex digit at s[i], or -1 (also past the end: NaN < 128 is false). */
function hexAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? HEX_VALUE[c] : -1;
}

/** -1: not all lowercase hex; 0: all zeros; 1: valid non-zero id. */
function hexRun(s: string, from: number, to: number): number {
  let nonZero = 0;
  for (let i = from; i < to; i++) {
    const v = hexAt(s, i);
    if (v < 0) return -1;
    nonZero |= v;
  }
  return nonZero === 0 ? 0 : 1;
}

/** RFC 7230 OWS: space or horizontal tab (not the wider set String.prototype.trim removes). */
function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** 32 lowercase hex characters, not all zeros. */
export function isValidTraceId(s: string): boolean {
  return typeof s === 'string' && s.length === 32 && hexRun(s, 0, 32) === 1;
}

/** 16 lowercase hex characters, not all zeros. */
export function isValidSpanId(s: string): boolean {
  return typeof s === 'string' && s.length === 16 && hexRun(s, 0, 16) === 1;
}

/**
 * Parses one `traceparent` value. Version 00 must be exactly `00-<32 hex>-<16 hex>-<2 hex>` (55 chars);
 * a higher version (not ff) is read with the same layout and may carry more fields after a '-' at
 * position 55, which are ignored. Surrounding spaces/tabs are allowed. Several header values (an array
 * of more than one) are invalid: the spec's test suite restarts the trace on a duplicated traceparent.
 */
export function parseTraceparent(header: unknown): TraceParent | null {
  let value = header;
  if (Array.isArray(header)) {
    if (header.length !== 1) return null;
    value = header[0];
  }
  if (typeof value !== 'string') return null;
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  const length = end - start;
  if (length < 55) return null;
  const v1 = hexAt(value, start);
  const v0 = hexAt(value, start + 1);
  if (v1 < 0 || v0 < 0 || value.charCodeAt(start + 2) !== DASH) return null;
  const version = v1 * 16 + v0;
  if (version === 0xff) return null;
  if (version === 0 ? length !== 55 : length > 55 && value.charCodeAt(start + 55) !== DASH) return null;
  if (hexRun(value, start + 3, start + 35) !== 1 || value.charCodeAt(start + 35) !== DASH) return null;
  if (hexRun(value, start + 36, start + 52) !== 1 || value.charCodeAt(start + 52) !== DASH) return null;
  const f1 = hexAt(value, start + 53);
  const f0 = hexAt(value, start + 54);
  if (f1 < 0 || f0 < 0) return null;
  return {
    version: HEX_BYTE[version],
    traceId: value.slice(start + 3, start + 35),
    spanId: value.slice(start + 36, start + 52),
    traceFlags: f1 * 16 + f0,
  };
}

/**
 * Formats a version-00 `traceparent` (the highest version this code knows, as the spec requires when
 * propagating a higher one). Ids are expected valid (see isValidTraceId/isValidSpanId); flags are
 * written as `traceFlags & 0xff`: the caller clears bits it does not understand (`& KNOWN_FLAGS`).
 */
export function formatTraceparent(tp: { traceId: string; spanId: string; traceFlags: number }): string {
  return `00-${tp.traceId.toLowerCase()}-${tp.spanId.toLowerCase()}-${HEX_BYTE[tp.traceFlags & 0xff]}`;
}

// Level 2: key = ( lcalpha / DIGIT ) 0*255( keychar ), keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
// (Level 1's simple-key and multi-tenant-key `tenant@system` are both inside it). value = 0*255(chr) nblk-chr,
// i.e. 1..256 printable ASCII characters without ',' and '=', not ending in a space.
const KEY_RE = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
const VALUE_RE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_MEMBERS = 32;
const MAX_LENGTH = 512;
const LARGE_ENTRY = 128;

function isValidMember(key: unknown, value: unknown): key is string {
  return typeof key === 'string' && typeof value === 'string' && KEY_RE.test(key) && VALUE_RE.test(value);
}

/**
 * Parses `tracestate`. Several header values are combined with ',' (RFC 7230 3.2.2). Empty and
 * whitespace-only members are skipped; spaces/tabs around members are ignored (leading spaces of a value
 * are kept, as the spec says). Any invalid member, a duplicated key or more than 32 members makes the
 * whole header invalid (`null`), as the spec's test suite expects. An empty header gives `[]`.
 */
export function parseTracestate(header: unknown): TraceState | null {
  let value: string;
  if (typeof header === 'string') value = header;
  else if (Array.isArray(header)) {
    for (let i = 0; i < header.length; i++) if (typeof header[i] !== 'string') return null;
    value = header.join(',');
  } else return null;
  const out: TraceState = [];
  const n = value.length;
  let pos = 0;
  while (pos <= n) {
    let comma = value.indexOf(',', pos);
    if (comma < 0) comma = n;
    let s = pos;
    let e = comma;
    while (s < e && isOws(value.charCodeAt(s))) s++;
    while (e > s && isOws(value.charCodeAt(e - 1))) e--;
    if (s < e) {
      if (out.length === MAX_MEMBERS) return null;
      const eq = value.indexOf('=', s);
      if (eq < 0 || eq >= e) return null;
      const key = value.slice(s, eq);
      const val = value.slice(eq + 1, e);
      if (!KEY_RE.test(key) || !VALUE_RE.test(val)) return null;
      for (let i = 0; i < out.length; i++) if (out[i][0] === key) return null;
      out.push([key, val]);
    }
    pos = comma + 1;
  }
  return out;
}

/**
 * Formats `tracestate` without optional whitespace: at most 32 members (the leftmost, most recent, are
 * kept); invalid members and repeated keys are left out. Over 512 characters, whole entries are removed as
 * the spec recommends: entries longer than 128 characters first (from the right), then from the right.
 * Returns '' when nothing is left (the caller then sends no tracestate header).
 */
export function formatTracestate(ts: TraceState): string {
  if (!Array.isArray(ts)) return '';
  const entries: string[] = [];
  const keys: string[] = [];
  let total = -1; // n entries need n - 1 commas
  for (let i = 0; i < ts.length && entries.length < MAX_MEMBERS; i++) {
    const member = ts[i];
    if (!Array.isArray(member)) continue;
    const [key, value] = member;
    if (!isValidMember(key, value) || keys.includes(key)) continue;
    const entry = `${key}=${value}`;
    keys.push(key);
    entries.push(entry);
    total += entry.length + 1;
  }
  if (total > MAX_LENGTH) {
    for (let i = entries.length - 1; i >= 0 && total > MAX_LENGTH; i--) {
      if (entries[i].length > LARGE_ENTRY) {
        total -= entries[i].length + 1;
        entries.splice(i, 1);
      }
    }
    while (total > MAX_LENGTH) total -= (entries.pop() as string).length + 1;
  }
  return entries.join(',');
}

/**
 * Returns a new TraceState with `key=value` first and any older entry for `key` removed (the spec's
 * "modified keys MUST be moved to the beginning"); beyond 32 members the rightmost are dropped. An invalid
 * key or value leaves the state unchanged (returned as given, or [] when none was given).
 */
export function updateTracestate(ts: TraceState | undefined, key: string, value: string): TraceState {
  const current = Array.isArray(ts) ? ts : [];
  if (!isValidMember(key, value)) return current;
  const out: TraceState = [[key, value]];
  for (let i = 0; i < current.length && out.length < MAX_MEMBERS; i++) {
    if (current[i][0] !== key) out.push(current[i]);
  }
  return out;
}

export interface ExtractedTraceContext {
  traceparent: TraceParent;
  tracestate?: TraceState;
}

/**
 * Reads both headers from a header record (names in any case, as the spec requires). `null` when there
 * is no valid traceparent: the caller restarts the trace (new trace id) and never fails the request;
 * tracestate is then not even parsed (spec: MUST NOT). An invalid or empty tracestate is dropped while the
 * traceparent is kept.
 */
export function extractTraceContext(
  headers: Record<string, string | string[] | undefined>,
): ExtractedTraceContext | null {
  if (headers === null || typeof headers !== 'object') return null;
  let parent: unknown;
  let parentCount = 0;
  let state: string | undefined;
  let stateOk = true;
  for (const name in headers) {
    if (!Object.prototype.hasOwnProperty.call(headers, name)) continue;
    const len = name.length;
    if (len !== 11 && len !== 10) continue; // skips most headers without a toLowerCase allocation
    const lower = name.toLowerCase();
    const v = headers[name];
    if (v === undefined) continue;
    if (lower === 'traceparent') {
      parent = v;
      parentCount++;
    } else if (lower === 'tracestate') {
      const joined = typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : undefined;
      if (joined === undefined) stateOk = false;
      else state = state === undefined ? joined : `${state},${joined}`;
    }
  }
  const traceparent = parentCount === 1 ? parseTraceparent(parent) : null;
  if (traceparent === null) return null;
  const tracestate = stateOk && state !== undefined ? parseTracestate(state) : null;
  return tracestate !== null && tracestate.length > 0 ? { traceparent, tracestate } : { traceparent };
}
