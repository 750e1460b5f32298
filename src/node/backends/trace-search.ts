import type { AnyValue, LogRecord, SpanKindName, SpanRecord } from '../../shared/model.js';
import { isoToNanos } from '../../shared/time.js';
import type { LogFilter } from './log-search.js';
import type { MetricFilter, MetricPoints } from './metric-search.js';

/**
 * Trace search (and, beside it, log search: findLogs, semantics in log-search.ts), for the Jaeger query API (src/collector-endpoint/jaeger-*.ts): the services, the operations
 * of a service, and the traces that have a span matching a filter. Every backend implements the same
 * semantics, which match Jaeger's span stores:
 * - a trace matches when ONE of its spans matches every condition of the filter;
 * - `service` is the span's resource `service.name`; `operation` its name;
 * - start bounds apply to the span's start time, in whole microseconds (a nanosecond start is truncated), both inclusive;
 * - duration bounds apply to the span's `duration_ms`, both inclusive;
 * - a tag `key=value` matches a span attribute or resource attribute `key` whose scalar value (string, number,
 *   boolean) reads as `value`, or one of the tags the Jaeger translation derives from the span:
 *   `error=true` (status ERROR), `span.kind` (lowercase kind), `otel.status_code` (OK | ERROR), `otel.status_description`;
 * - traces come newest first (by the latest start of their matching spans, then trace id), `limit` of them,
 *   each with all its spans in start order.
 */
export interface TraceSearch {
  /** Every service name of stored spans, sorted. */
  services(): Promise<string[]>;
  /** The distinct (name, kind) pairs of a service's spans, sorted by name then kind; only `kind` when given. */
  operations(service: string, kind?: SpanKindName): Promise<OperationName[]>;
  findTraces(filter: TraceFilter): Promise<SpanRecord[][]>;
  /** The logs query API's search (semantics in log-search.ts): matching records, newest first. */
  findLogs(filter: LogFilter): Promise<LogRecord[]>;
  /** The metrics query's points (semantics in metric-search.ts): matching points oldest first, bounded by MAX_SCAN_POINTS. */
  findMetrics(filter: MetricFilter): Promise<MetricPoints>;
}

export interface OperationName {
  name: string;
  kind: SpanKindName;
}

export interface TraceFilter {
  service: string;
  operation?: string;
  tags: Record<string, string>;
  /** Microseconds since the epoch, inclusive. */
  startMinUs: number;
  startMaxUs: number;
  durationMinMs?: number;
  durationMaxMs?: number;
  limit: number;
}

/** The tags the Jaeger translation derives from a span's kind and status, by key (see jaeger-convert.ts). */
export function derivedTag(span: SpanRecord, key: string): string | undefined {
  switch (key) {
    case 'error': return span.status.code === 'ERROR' ? 'true' : undefined;
    case 'span.kind': return span.kind === 'UNSPECIFIED' ? undefined : span.kind.toLowerCase();
    case 'otel.status_code': return span.status.code === 'UNSET' ? undefined : span.status.code;
    case 'otel.status_description': return span.status.message || undefined;
    default: return undefined;
  }
}

/** A scalar attribute value as the search compares it; undefined for maps, arrays and null. */
export function scalarText(v: AnyValue | undefined): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

export function tagMatches(span: SpanRecord, key: string, value: string): boolean {
  return derivedTag(span, key) === value || scalarText(span.attributes[key]) === value || scalarText(span.resource[key]) === value;
}

/** Microseconds since the epoch of a model timestamp (nanoseconds truncated); NaN when malformed. */
export function isoToMicros(iso: string): number {
  const n = isoToNanos(iso);
  return n === undefined ? Number.NaN : Number(n / 1000n);
}

/** ISO 8601 with six fraction digits. */
export function microsToIso(us: number): string {
  const ms = Math.floor(us / 1000);
  const base = new Date(ms).toISOString(); // ...ss.mmmZ
  return `${base.slice(0, -1)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}

export function serviceOf(span: SpanRecord): string | undefined {
  const v = span.resource['service.name'];
  return typeof v === 'string' ? v : undefined;
}

export function spanMatches(span: SpanRecord, f: TraceFilter): boolean {
  if (serviceOf(span) !== f.service) return false;
  if (f.operation !== undefined && span.name !== f.operation) return false;
  const start = isoToMicros(span.start_time);
  if (start < f.startMinUs || start > f.startMaxUs) return false;
  if (f.durationMinMs !== undefined && span.duration_ms < f.durationMinMs) return false;
  if (f.durationMaxMs !== undefined && span.duration_ms > f.durationMaxMs) return false;
  return Object.entries(f.tags).every(([k, v]) => tagMatches(span, k, v));
}

const byStart = (a: SpanRecord, b: SpanRecord): number =>
  isoToMicros(a.start_time) - isoToMicros(b.start_time) || (a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0);

/** The search over spans held in memory (the JSONL backend's bounded scan), with the semantics above. */
export function searchSpans(spans: readonly SpanRecord[], f: TraceFilter): SpanRecord[][] {
  const latest = new Map<string, number>();
  for (const s of spans) {
    if (!spanMatches(s, f)) continue;
    const start = isoToMicros(s.start_time);
    if (start > (latest.get(s.trace_id) ?? -Infinity)) latest.set(s.trace_id, start);
  }
  const ids = [...latest.entries()]
    .sort(([ia, a], [ib, b]) => b - a || (ia < ib ? -1 : ia > ib ? 1 : 0))
    .slice(0, f.limit)
    .map(([id]) => id);
  return groupTraces(ids, spans);
}

/** The spans of each trace of `ids`, in `ids` order, each trace's spans in start order. */
export function groupTraces(ids: readonly string[], spans: Iterable<SpanRecord>): SpanRecord[][] {
  const byTrace = new Map<string, SpanRecord[]>(ids.map((id) => [id, []]));
  for (const s of spans) byTrace.get(s.trace_id)?.push(s);
  return ids.map((id) => (byTrace.get(id) ?? []).sort(byStart));
}

export function operationsOf(spans: Iterable<SpanRecord>, service: string, kind?: SpanKindName): OperationName[] {
  const seen = new Map<string, OperationName>();
  for (const s of spans) {
    if (serviceOf(s) !== service || (kind !== undefined && s.kind !== kind)) continue;
    seen.set(`${s.name}\u0000${s.kind}`, { name: s.name, kind: s.kind });
  }
  return sortOperations([...seen.values()]);
}

export function sortOperations(ops: OperationName[]): OperationName[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return ops.sort((a, b) => cmp(a.name, b.name) || cmp(a.kind, b.kind));
}
