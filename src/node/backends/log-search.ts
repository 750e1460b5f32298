import type { AnyValue, LogRecord } from '../../shared/model.js';
import { isoToNanos } from '../../shared/time.js';

/**
 * Log search, for the logs query API (src/collector-endpoint/logs-*.ts). Every backend implements the same
 * semantics:
 * - `service` is the record's resource `service.name`;
 * - severity bounds apply to `severity_number` (OpenTelemetry's 1..24; 0 is unspecified), both inclusive;
 * - time bounds apply to the record's `timestamp` in whole microseconds (a nanosecond time is truncated),
 *   both inclusive, as in the trace search;
 * - `traceId` is the record's trace id (32 lowercase hex);
 * - an attribute `key=value` matches a log attribute or resource attribute `key` whose scalar value (string,
 *   number, boolean) reads as `value` (as a trace search tag does);
 * - `text` matches a record whose body is a string holding every word of the text, case-insensitively
 *   (PostgreSQL full text with the `simple` configuration, Elasticsearch `match` with operator `and`, the JSONL
 *   scan splitting on every character that is not a letter or digit: the same for plain words; punctuated
 *   forms such as `foo-bar`, `foo_bar`, `a.b` or HTML-like tags are tokenized differently by each and may differ). Map bodies are not searched;
 * - records come newest first: by the exact timestamp (nanoseconds), then `record_id` descending (compared
 *   as bytes), so records with the same time have one order everywhere; `after` continues strictly after
 *   that position (cursor paging), and `limit` records are returned.
 */
export interface LogFilter {
  service?: string;
  severityMin?: number;
  severityMax?: number;
  /** Microseconds since the epoch, inclusive. */
  startUs?: number;
  endUs?: number;
  traceId?: string;
  attributes: Record<string, string>;
  text?: string;
  after?: LogPosition;
  limit: number;
}

/**
 * The text search reads the first this many characters of a body: PostgreSQL's GIN index is on that prefix
 * (a tsvector holds at most 1 MB, and a longer one would refuse the row). The ingest's default
 * `limits.max_body_length` is the same, so by default it is the whole body.
 */
export const FULL_TEXT_CHARS = 65_536;

/** A record's place in the newest-first order: its time in nanoseconds since the epoch (decimal), its id. */
export interface LogPosition {
  timeNs: string;
  recordId: string;
}

export function positionOf(r: LogRecord): LogPosition {
  return { timeNs: String(isoToNanos(r.timestamp) ?? 0n), recordId: r.record_id };
}

/** Lowercased runs of letters and digits: the words of a body and of a text query for the JSONL scan. */
export function words(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Newest first (see above); negative when `a` comes before `b`. */
export function newestFirst(a: LogPosition, b: LogPosition): number {
  const d = BigInt(b.timeNs) - BigInt(a.timeNs);
  return d < 0n ? -1 : d > 0n ? 1 : cmp(b.recordId, a.recordId);
}

/** As trace-search.ts's scalarText (not imported: trace-search.ts names this file's LogFilter). */
const scalarText = (v: AnyValue | undefined): string | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

function attributeMatches(r: LogRecord, key: string, value: string): boolean {
  return scalarText(r.attributes[key]) === value || scalarText(r.resource[key]) === value;
}

function textMatches(body: LogRecord['body'], text: string): boolean {
  if (typeof body !== 'string') return false;
  const have = new Set(words(body.slice(0, FULL_TEXT_CHARS)));
  return words(text).every((w) => have.has(w));
}

export function logMatches(r: LogRecord, f: LogFilter): boolean {
  if (f.service !== undefined && r.resource['service.name'] !== f.service) return false;
  if (f.severityMin !== undefined && r.severity_number < f.severityMin) return false;
  if (f.severityMax !== undefined && r.severity_number > f.severityMax) return false;
  const ns = isoToNanos(r.timestamp);
  const us = ns === undefined ? Number.NaN : Number(ns / 1000n);
  if (f.startUs !== undefined && !(us >= f.startUs)) return false;
  if (f.endUs !== undefined && !(us <= f.endUs)) return false;
  if (f.traceId !== undefined && r.trace_id !== f.traceId) return false;
  if (f.text !== undefined && !textMatches(r.body, f.text)) return false;
  if (f.after !== undefined && newestFirst(f.after, positionOf(r)) >= 0) return false;
  return Object.entries(f.attributes).every(([k, v]) => attributeMatches(r, k, v));
}

/** The search over records held in memory (the JSONL backend's bounded scan), with the semantics above. */
export function searchLogs(records: readonly LogRecord[], f: LogFilter): LogRecord[] {
  return records
    .filter((r) => logMatches(r, f))
    .map((r) => ({ r, p: positionOf(r) }))
    .sort((a, b) => newestFirst(a.p, b.p))
    .slice(0, f.limit)
    .map(({ r }) => r);
}
