import type { LogFilter } from '../node/engine/index.js';
import { LEVELS, parseLevel, SEVERITY_NUMBER } from '../shared/severity.js';
import { isoToNanos } from '../shared/time.js';
import { decodeCursor } from './log-cursor.js';
import { normalizeTraceId, type Parsed } from './jaeger-params.js';

/**
 * GET /api/logs parameters (every one optional; an unknown one is refused, so a misspelt filter is not
 * silently ignored):
 *   service=NAME                       the resource's service.name
 *   severity_min=N|NAME, severity_max=N|NAME   severity_number bounds, inclusive: a number 0..24, or a level
 *                                      name (TRACE DEBUG INFO WARN ERROR FATAL; WARNING, CRITICAL too), which as
 *                                      a minimum is its range's first number (WARN → 13) and as a maximum its last (WARN → 16)
 *   start=T, end=T                     the record's timestamp, inclusive: microseconds since the epoch (as the
 *                                      Jaeger API's start/end) or RFC 3339 (2025-01-31T12:00:00.5Z, +02:00 offsets)
 *   trace_id=HEX                       1 to 32 hex digits, as the Jaeger API takes them
 *   attr.KEY=VALUE                     repeatable (each key once): a log or resource attribute with that scalar value
 *   q=WORDS                            every word in the body (full text)
 *   limit=N                            1..1000, default 100
 *   cursor=C                           the next_cursor of the previous page
 * An error message names the parameter.
 */
export const DEFAULT_LOGS_LIMIT = 100;
export const MAX_LOGS_LIMIT = 1000;
const MAX_TEXT = 1000;
const KNOWN = new Set(['service', 'severity_min', 'severity_max', 'start', 'end', 'trace_id', 'q', 'limit', 'cursor']);
const LEVEL_NAMES = LEVELS.map((l) => l.toUpperCase()).join(', ');

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });

function severity(q: URLSearchParams, name: 'severity_min' | 'severity_max'): Parsed<number | undefined> {
  const v = q.get(name);
  if (v === null || v === '') return ok(undefined);
  if (/^\d{1,2}$/.test(v) && Number(v) <= 24) return ok(Number(v));
  const level = parseLevel(v);
  if (level === undefined) return fail(`parameter '${name}': "${v}" is neither a severity number 0-24 nor a level name (${LEVEL_NAMES})`);
  return ok(SEVERITY_NUMBER[level] + (name === 'severity_max' ? 3 : 0));
}

/** A start/end parameter: microseconds since the epoch or RFC 3339; undefined when absent. Also the metrics query's. */
export function time(q: URLSearchParams, name: 'start' | 'end'): Parsed<number | undefined> {
  const v = q.get(name);
  if (v === null || v === '') return ok(undefined);
  if (/^\d{1,17}$/.test(v)) return ok(Number(v));
  const ns = isoToNanos(v);
  if (ns === undefined || ns < 0n) return fail(`parameter '${name}': "${v}" is neither microseconds since the epoch nor an RFC 3339 time (2025-01-31T12:00:00Z)`);
  return ok(Number(ns / 1000n));
}

function limit(q: URLSearchParams): Parsed<number> {
  const v = q.get('limit');
  if (v === null || v === '') return ok(DEFAULT_LOGS_LIMIT);
  if (!/^\d{1,7}$/.test(v) || Number(v) < 1 || Number(v) > MAX_LOGS_LIMIT) return fail(`parameter 'limit': "${v}" is not an integer from 1 to ${MAX_LOGS_LIMIT}`);
  return ok(Number(v));
}

/** The attr.KEY=VALUE parameters; any other name must be a known one. */
function attributes(q: URLSearchParams): Parsed<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, value] of q) {
    if (!name.startsWith('attr.')) {
      if (!KNOWN.has(name)) return fail(`parameter '${name}' is unknown (known: ${[...KNOWN].join(', ')}, attr.KEY)`);
      continue;
    }
    const key = name.slice('attr.'.length);
    if (key === '') return fail(`parameter 'attr.': the attribute key is missing (attr.KEY=VALUE)`);
    if (Object.hasOwn(out, key)) return fail(`parameter '${name}' is given more than once`);
    out[key] = value;
  }
  return ok(out);
}

function text(q: URLSearchParams): Parsed<string | undefined> {
  const v = q.get('q');
  if (v === null || v === '') return ok(undefined);
  if (v.length > MAX_TEXT) return fail(`parameter 'q' is longer than ${MAX_TEXT} characters`);
  if (!/[\p{L}\p{N}]/u.test(v)) return fail(`parameter 'q': "${v}" has no word to search for (letters or digits)`);
  return ok(v);
}

function single(q: URLSearchParams): Parsed<void> {
  for (const name of KNOWN) if (q.getAll(name).length > 1) return fail(`parameter '${name}' is given more than once`);
  return ok(undefined);
}

/** The filter of a GET /api/logs query; `limit` is the page size (the route asks the backend for one more). */
export function parseLogQuery(q: URLSearchParams): Parsed<LogFilter> {
  const once = single(q);
  if (!once.ok) return once;
  const attrs = attributes(q);
  if (!attrs.ok) return attrs;
  let error: string | undefined;
  const take = <T>(p: Parsed<T>, fallback: T): T => {
    if (p.ok) return p.value;
    error ??= p.error;
    return fallback;
  };
  const [min, max] = [take(severity(q, 'severity_min'), undefined), take(severity(q, 'severity_max'), undefined)];
  const [start, end] = [take(time(q, 'start'), undefined), take(time(q, 'end'), undefined)];
  const [lim, words] = [take(limit(q), DEFAULT_LOGS_LIMIT), take(text(q), undefined)];
  if (error !== undefined) return fail(error);
  if (min !== undefined && max !== undefined && max < min) return fail(`parameter 'severity_max' is below 'severity_min'`);
  if (start !== undefined && end !== undefined && end < start) return fail(`parameter 'end' is before 'start'`);
  const filter: LogFilter = { attributes: attrs.value, limit: lim };
  if (min !== undefined) filter.severityMin = min;
  if (max !== undefined) filter.severityMax = max;
  if (start !== undefined) filter.startUs = start;
  if (end !== undefined) filter.endUs = end;
  if (words !== undefined) filter.text = words;
  const service = q.get('service');
  if (service) filter.service = service;
  const traceId = q.get('trace_id');
  if (traceId) {
    const id = normalizeTraceId(traceId);
    if (!id) return fail(`parameter 'trace_id': "${traceId}" is not a trace id of 1 to 32 hex digits`);
    filter.traceId = id;
  }
  const cursor = q.get('cursor');
  if (cursor) {
    const after = decodeCursor(cursor);
    if (!after) return fail(`parameter 'cursor' is not a cursor this API returned (use next_cursor of the previous page)`);
    filter.after = after;
  }
  return ok(filter);
}
