import type { TraceFilter } from '../node/engine/index.js';
import { SPAN_KINDS, type SpanKindName } from '../shared/model.js';

/**
 * The Jaeger query API's parameters, read as Jaeger's own parser reads them (jaegertracing/jaeger
 * cmd/query/app/query_parser.go): `start`/`end` in microseconds since the epoch (default: the last two days),
 * `minDuration`/`maxDuration` as Go durations (`1.2s`, `100ms`, `500us`), `limit` (default 100, Jaeger's
 * defaultQueryLimit), `tags` a JSON object and `tag=key:value` repeatable, `traceID` repeatable. An error
 * message names the parameter, worded like Jaeger's.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export interface TraceSearchParams {
  filter: TraceFilter;
  /** `traceID=` parameters: when present, these traces are returned and the other parameters ignored. */
  traceIds: string[];
}

/** Jaeger's defaultTraceQueryLookbackDuration: two days. */
export const DEFAULT_LOOKBACK_US = 2 * 24 * 3600 * 1e6;
export const DEFAULT_LIMIT = 100;
/** The most traces one search returns (Jaeger UI's largest "Limit Results" choice). */
export const MAX_LIMIT = 1500;

const UNIT_US: Record<string, number> = { ns: 1e-3, us: 1, 'µs': 1, 'μs': 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 };
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** A Go duration string (time.ParseDuration) in microseconds; undefined when malformed. */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < s.length) {
    const m = DURATION_PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_US[m[2]];
  }
  return sign * total;
}

/** A trace id as Jaeger accepts it (1 to 32 hex digits), in OTel's 32-digit form; undefined when malformed. */
export function normalizeTraceId(text: string): string | undefined {
  return /^[0-9a-fA-F]{1,32}$/.test(text) ? text.toLowerCase().padStart(32, '0') : undefined;
}

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

function integer(q: URLSearchParams, name: string): Parsed<number | undefined> {
  const v = q.get(name);
  if (v === null || v === '') return { ok: true, value: undefined };
  if (!/^-?\d+$/.test(v)) return fail(`unable to parse param '${name}': "${v}" is not an integer`);
  return { ok: true, value: Number(v) };
}

function duration(q: URLSearchParams, name: string): Parsed<number | undefined> {
  const v = q.get(name);
  if (v === null || v === '') return { ok: true, value: undefined };
  const us = parseGoDuration(v);
  if (us === undefined) return fail(`unable to parse param '${name}': invalid duration "${v}" (e.g. 1.2s, 100ms, 500us)`);
  return { ok: true, value: us };
}

/** `tag=key:value` (repeatable) and `tags={"key":"value"}` (repeatable), merged; later ones win. */
export function parseTags(q: URLSearchParams): Parsed<Record<string, string>> {
  const tags: Record<string, string> = {};
  for (const tag of q.getAll('tag')) {
    const i = tag.indexOf(':');
    if (i < 0) return fail(`malformed 'tag' parameter, expecting key:value, received: ${tag}`);
    tags[tag.slice(0, i)] = tag.slice(i + 1);
  }
  for (const text of q.getAll('tags')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return fail(`malformed 'tags' parameter, cannot unmarshal JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail(`malformed 'tags' parameter: expecting a JSON object of strings`);
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return fail(`malformed 'tags' parameter: the value of "${k}" is not a string`);
      tags[k] = String(v);
    }
  }
  return { ok: true, value: tags };
}

type Numbers = Record<'start' | 'end' | 'limit' | 'min' | 'max', number | undefined>;

/** The numeric parameters; durations in microseconds. The first malformed one is the error. */
function numbers(q: URLSearchParams): Parsed<Numbers> {
  const parsed: [keyof Numbers, Parsed<number | undefined>][] = [
    ['start', integer(q, 'start')],
    ['end', integer(q, 'end')],
    ['limit', integer(q, 'limit')],
    ['min', duration(q, 'minDuration')],
    ['max', duration(q, 'maxDuration')],
  ];
  const out: Numbers = { start: undefined, end: undefined, limit: undefined, min: undefined, max: undefined };
  for (const [name, p] of parsed) {
    if (!p.ok) return p;
    out[name] = p.value;
  }
  return { ok: true, value: out };
}

/** GET /api/traces parameters. `nowUs`: the current time in microseconds since the epoch. */
export function parseTraceSearch(q: URLSearchParams, nowUs: number): Parsed<TraceSearchParams> {
  const traceIds: string[] = [];
  for (const id of q.getAll('traceID')) {
    const norm = normalizeTraceId(id);
    if (!norm) return fail(`cannot parse traceID param: "${id}" is not a trace id of 1 to 32 hex digits`);
    traceIds.push(norm);
  }
  const n = numbers(q);
  if (!n.ok) return n;
  const tags = parseTags(q);
  if (!tags.ok) return tags;
  const { start, end, limit, min, max } = n.value;
  const service = q.get('service') ?? '';
  if (traceIds.length === 0 && service === '') return fail(`parameter 'service' is required`);
  if (min !== undefined && max !== undefined && max < min) return fail(`'maxDuration' should be greater than 'minDuration'`);
  if (limit !== undefined && limit < 1) return fail(`unable to parse param 'limit': must be at least 1, got ${limit}`);
  const operation = q.get('operation') || undefined;
  const filter: TraceFilter = {
    service,
    ...(operation !== undefined ? { operation } : {}),
    tags: tags.value,
    startMinUs: start ?? nowUs - DEFAULT_LOOKBACK_US,
    startMaxUs: end ?? nowUs,
    ...(min !== undefined ? { durationMinMs: min / 1000 } : {}),
    ...(max !== undefined ? { durationMaxMs: max / 1000 } : {}),
    limit: Math.min(MAX_LIMIT, limit ?? DEFAULT_LIMIT),
  };
  return { ok: true, value: { filter, traceIds } };
}

/** `spanKind=` of GET /api/operations: Jaeger's lowercase names; empty or absent means every kind. */
export function parseSpanKind(q: URLSearchParams): Parsed<SpanKindName | undefined> {
  const v = q.get('spanKind') ?? '';
  if (v === '') return { ok: true, value: undefined };
  const kind = SPAN_KINDS.find((k) => k !== 'UNSPECIFIED' && k.toLowerCase() === v);
  if (!kind) return fail(`unable to parse param 'spanKind': "${v}" is not one of server, client, producer, consumer, internal`);
  return { ok: true, value: kind };
}
