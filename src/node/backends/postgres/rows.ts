import type { AnyValue, Attributes, InstrumentationScope, LogRecord, SpanRecord, SpanKindName, StatusCodeName } from '../../../shared/model.js';
import { isoToNanos, nanosToIso } from '../../../shared/time.js';
import { cleanText, jsonText, type Repairs } from './clean.js';
import { quoteIdent } from './schema.js';

/**
 * Record ⇄ row. A row is an array of cells in LOG_COLUMNS / SPAN_COLUMNS order; a cell is the text (or
 * number) PostgreSQL parses for that column, or null. Reading maps a row back to exactly the record written:
 * a non-string body comes back from body_json, nanosecond timestamps from their *_unix_nano column, and
 * optional fields that were absent stay absent.
 */
export type Cell = string | number | null;

const SIX_DIGITS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** [TIMESTAMPTZ text, nanoseconds text or null]: see schema.ts on exact timestamps. */
export function timeCells(iso: string): [Cell, Cell] {
  if (SIX_DIGITS.test(iso)) return [iso, null];
  const nanos = isoToNanos(iso);
  // Unparseable here: let PostgreSQL judge it (it reads more forms; otherwise a 22007 rejects this record).
  if (nanos === undefined) return [iso, null];
  const subMicro = nanos % 1000n;
  // Other whole-microsecond forms (three digits, an offset) are stored as the same instant, read back in the
  // six-digit form; only sub-microsecond digits need the extra column.
  return [nanosToIso(nanos - subMicro), subMicro === 0n ? null : nanos.toString()];
}

export function opt<T>(v: T | undefined | null): T | null {
  return v === undefined ? null : v;
}

export function optText(v: string | undefined | null, r: Repairs): Cell {
  return v === undefined || v === null ? null : cleanText(String(v), r);
}

export function serviceName(resource: Attributes | undefined): Cell {
  const v = resource?.['service.name'];
  return typeof v === 'string' ? v : null;
}

/** `shared` encodes the resource and scope, which records share (clean.ts sharedJsonText caches them per batch). */
export function logToRow(rec: LogRecord, r: Repairs, shared: (o: object) => string = (o) => jsonText(o, r)): Cell[] {
  const [ts, tsNanos] = timeCells(rec.timestamp);
  const [obs, obsNanos] = timeCells(rec.observed_timestamp);
  const structured = typeof rec.body !== 'string';
  const bodyJson = structured ? jsonText(rec.body, r) : null;
  return [
    cleanText(rec.record_id, r),
    ts,
    tsNanos,
    obs,
    obsNanos,
    optText(rec.severity_text, r),
    opt(rec.severity_number),
    structured ? bodyJson : cleanText(rec.body as string, r),
    bodyJson,
    optText(rec.trace_id, r),
    optText(rec.span_id, r),
    opt(rec.trace_flags),
    optText(rec.event_name, r),
    optText(serviceName(rec.resource) as string | null, r),
    typeof rec.resource === 'object' && rec.resource !== null ? shared(rec.resource) : jsonText(rec.resource ?? {}, r),
    jsonText(rec.attributes ?? {}, r),
    typeof rec.scope === 'object' && rec.scope !== null ? shared(rec.scope) : jsonText(rec.scope ?? { name: '' }, r),
    opt(rec.dropped_attributes_count),
    optText(rec.resource_schema_url, r),
  ];
}

export function spanToRow(s: SpanRecord, r: Repairs, shared: (o: object) => string = (o) => jsonText(o, r)): Cell[] {
  const [start, startNanos] = timeCells(s.start_time);
  const [end, endNanos] = timeCells(s.end_time);
  return [
    cleanText(s.trace_id, r),
    cleanText(s.span_id, r),
    optText(s.parent_span_id, r),
    optText(s.trace_state, r),
    opt(s.flags),
    cleanText(s.name, r),
    cleanText(s.kind, r),
    start,
    startNanos,
    end,
    endNanos,
    s.duration_ms,
    cleanText(s.status?.code ?? 'UNSET', r),
    optText(s.status?.message, r),
    jsonText(s.attributes ?? {}, r),
    jsonText(s.events ?? [], r),
    jsonText(s.links ?? [], r),
    typeof s.resource === 'object' && s.resource !== null ? shared(s.resource) : jsonText(s.resource ?? {}, r),
    typeof s.scope === 'object' && s.scope !== null ? shared(s.scope) : jsonText(s.scope ?? { name: '' }, r),
    optText(serviceName(s.resource) as string | null, r),
    opt(s.dropped_attributes_count),
    opt(s.dropped_events_count),
    opt(s.dropped_links_count),
    optText(s.resource_schema_url, r),
  ];
}

/** TIMESTAMPTZ as the model's six-digit UTC form, independent of the session's TimeZone and DateStyle. */
function isoColumn(col: string): string {
  return `to_char(${quoteIdent(col)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${quoteIdent(col)}`;
}

export const LOG_SELECT = [
  'id',
  'record_id',
  isoColumn('timestamp'),
  'time_unix_nano',
  isoColumn('observed_timestamp'),
  'observed_time_unix_nano',
  'severity_text',
  'severity_number',
  'body',
  'body_json::text AS body_json',
  'trace_id',
  'span_id',
  'trace_flags',
  'event_name',
  'resource',
  'attributes',
  'scope',
  'dropped_attributes_count',
  'resource_schema_url',
].join(', ');

export const SPAN_SELECT = [
  'trace_id',
  'span_id',
  'parent_span_id',
  'trace_state',
  'flags',
  'name',
  'kind',
  isoColumn('start_time'),
  'start_time_unix_nano',
  isoColumn('end_time'),
  'end_time_unix_nano',
  'duration_ms',
  'status_code',
  'status_message',
  'attributes',
  'events',
  'links',
  'resource',
  'scope',
  'dropped_attributes_count',
  'dropped_events_count',
  'dropped_links_count',
  'resource_schema_url',
].join(', ');

/** A row as pg returns it: JSONB parsed, NUMERIC as text, INTEGER and DOUBLE PRECISION as numbers. */
export type DbRow = Record<string, unknown>;

function exactTime(iso: unknown, nanos: unknown): string {
  if (typeof nanos === 'string' && nanos !== '') return nanosToIso(BigInt(nanos));
  return typeof iso === 'string' ? iso : '';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function obj<T>(v: unknown, fallback: T): T {
  return v !== null && typeof v === 'object' ? (v as T) : fallback;
}

/** Sets key only when the column was not NULL, so absent optional fields stay absent. */
function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

export function rowToLog(row: DbRow): LogRecord {
  const timestamp = exactTime(row.timestamp, row.time_unix_nano);
  const rec: LogRecord = {
    // Rows written by the original framework have no record_id: their serial id stands in.
    record_id: str(row.record_id) ?? `pg-${String(row.id)}`,
    timestamp,
    observed_timestamp: row.observed_timestamp === null ? timestamp : exactTime(row.observed_timestamp, row.observed_time_unix_nano),
    severity_text: str(row.severity_text) ?? '',
    severity_number: num(row.severity_number) ?? 0,
    body: typeof row.body_json === 'string' ? (JSON.parse(row.body_json) as AnyValue) : (str(row.body) ?? null),
    attributes: obj<Attributes>(row.attributes, {}),
    resource: obj<Attributes>(row.resource, {}),
    scope: obj<InstrumentationScope>(row.scope, { name: '' }),
  };
  setIf(rec, 'trace_id', str(row.trace_id));
  setIf(rec, 'span_id', str(row.span_id));
  setIf(rec, 'trace_flags', num(row.trace_flags));
  setIf(rec, 'event_name', str(row.event_name));
  setIf(rec, 'dropped_attributes_count', num(row.dropped_attributes_count));
  setIf(rec, 'resource_schema_url', str(row.resource_schema_url));
  return rec;
}

export function rowToSpan(row: DbRow): SpanRecord {
  const status: SpanRecord['status'] = { code: (str(row.status_code) ?? 'UNSET') as StatusCodeName };
  setIf(status, 'message', str(row.status_message));
  const span: SpanRecord = {
    trace_id: String(row.trace_id),
    span_id: String(row.span_id),
    name: str(row.name) ?? '',
    kind: (str(row.kind) ?? 'UNSPECIFIED') as SpanKindName,
    start_time: exactTime(row.start_time, row.start_time_unix_nano),
    end_time: exactTime(row.end_time, row.end_time_unix_nano),
    duration_ms: num(row.duration_ms) ?? 0,
    status,
    attributes: obj<Attributes>(row.attributes, {}),
    events: obj<SpanRecord['events']>(row.events, []),
    links: obj<SpanRecord['links']>(row.links, []),
    resource: obj<Attributes>(row.resource, {}),
    scope: obj<InstrumentationScope>(row.scope, { name: '' }),
  };
  setIf(span, 'parent_span_id', str(row.parent_span_id));
  setIf(span, 'trace_state', str(row.trace_state));
  setIf(span, 'flags', num(row.flags));
  setIf(span, 'dropped_attributes_count', num(row.dropped_attributes_count));
  setIf(span, 'dropped_events_count', num(row.dropped_events_count));
  setIf(span, 'dropped_links_count', num(row.dropped_links_count));
  setIf(span, 'resource_schema_url', str(row.resource_schema_url));
  return span;
}
