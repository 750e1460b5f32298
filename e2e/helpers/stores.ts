/**
 * What the browser tests read back from each backend the demo writes to, queried directly (files, SQL,
 * the Elasticsearch search API), in one shape so that every assertion runs against every backend.
 */

export interface StoredLink {
  trace_id: string;
  span_id: string;
}

export interface StoredSpan {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  name: string;
  kind: string;
  service: string;
  links: StoredLink[];
  attributes: Record<string, unknown>;
}

export interface StoredLog {
  record_id: string;
  trace_id?: string;
  span_id?: string;
  /** The body as text (a structured body as JSON). */
  body: string;
  service: string;
  attributes: Record<string, unknown>;
}

export interface Store {
  readonly name: string;
  spansOfTrace(traceId: string): Promise<StoredSpan[]>;
  logsOfTrace(traceId: string): Promise<StoredLog[]>;
  /** Spans whose attribute `key` (a flat key, dots included) equals `value`. */
  spansWithAttribute(key: string, value: string): Promise<StoredSpan[]>;
  /** Log records whose attribute `key` equals `value`. */
  logsWithAttribute(key: string, value: string): Promise<StoredLog[]>;
  close(): Promise<void>;
}

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
export const obj = (v: unknown): Json => (isObject(v) ? v : {});

export function links(v: unknown): StoredLink[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((l) => ({ trace_id: String(l.trace_id), span_id: String(l.span_id) }));
}

export function bodyText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A span in the JSON form of the model (JSONL lines, PostgreSQL rows after mapping). */
export function spanFromModel(s: Json, service: string | undefined): StoredSpan {
  return {
    trace_id: String(s.trace_id),
    span_id: String(s.span_id),
    parent_span_id: str(s.parent_span_id),
    name: String(s.name),
    kind: String(s.kind),
    service: service ?? String(obj(s.resource)['service.name']),
    links: links(s.links),
    attributes: obj(s.attributes),
  };
}

export function logFromModel(l: Json, service: string | undefined, body: unknown): StoredLog {
  return {
    record_id: String(l.record_id),
    trace_id: str(l.trace_id),
    span_id: str(l.span_id),
    body: bodyText(body),
    service: service ?? String(obj(l.resource)['service.name']),
    attributes: obj(l.attributes),
  };
}

/**
 * What was stored for one marker attribute: `rows` (lines or documents), `records` (distinct record ids),
 * `distinct` (distinct values of `key`), and the values stored under more than one record id (a record
 * sent twice as two records: a real duplicate, whatever the backend).
 */
export interface Counts {
  rows: number;
  records: number;
  distinct: number;
  duplicated: string[];
}

export function countBy(logs: StoredLog[], key: string): Counts {
  const ids = new Map<string, Set<string>>();
  for (const l of logs) {
    const k = JSON.stringify(l.attributes[key]);
    let set = ids.get(k);
    if (!set) ids.set(k, (set = new Set()));
    set.add(l.record_id);
  }
  const duplicated = [...ids].filter(([, set]) => set.size > 1).map(([k]) => k);
  return { rows: logs.length, records: new Set(logs.map((l) => l.record_id)).size, distinct: ids.size, duplicated };
}
