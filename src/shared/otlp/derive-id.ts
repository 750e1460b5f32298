/**
 * A deterministic record id for a log record that arrived without a log.record.uid (a foreign OTLP
 * client): the same request sent twice (a client retry) gets the same ids, so every backend write stays
 * idempotent, while two records of one request with the same content (a log call in a tight loop: same
 * body, time and attributes) are two records: the n-th repeat (n >= 1) of a content within the request has
 * n in its hash (createRequestIdDeriver), the first has none. Node only (node:crypto): the ingest imports
 * this file directly; it is not re-exported from the codec's index, which the browser build bundles.
 *
 * Form: 10 Crockford base32 characters of the timestamp's milliseconds (the same time prefix as isotel's
 * own record ids, so derived and native ids sort together by time), '-', then the first 32 hex characters
 * of a SHA-256 over a canonical JSON of what the record says: timestamp, severity, body, trace and span
 * ids, event name, attributes, resource and scope (then `#n` for the n-th repeat: a canonical JSON array
 * never ends that way, so a salted hash cannot equal another content's). The observed time is left out:
 * a server sets it, and a retry would change it.
 */
import * as crypto from 'node:crypto';
import type { AnyValue, LogRecord, MetricPoint } from '../model.js';
import { isoToMs } from '../time.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function timePrefix(iso: string): string {
  let ms = Math.floor(isoToMs(iso));
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  let s = '';
  for (let i = 0; i < 10; i++) {
    s = CROCKFORD[ms % 32] + s;
    ms = Math.floor(ms / 32);
  }
  return s;
}

/** JSON with object keys sorted at every level, so equal content always hashes the same. */
function canonical(v: AnyValue | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const keys = Object.keys(v).sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++) s += `${i ? ',' : ''}${JSON.stringify(keys[i])}:${canonical(v[keys[i]])}`;
  return `${s}}`;
}

function contentOf(record: LogRecord): string {
  return canonical([
    record.timestamp,
    record.severity_number,
    record.severity_text,
    record.body,
    record.trace_id ?? null,
    record.span_id ?? null,
    record.event_name ?? null,
    record.attributes,
    record.resource,
    { name: record.scope?.name ?? '', version: record.scope?.version ?? null, attributes: record.scope?.attributes ?? {} },
  ]);
}

/** crypto.hash (Node 20.12+), one call without a Hash object: 2.2 → 0.46 µs per id (a 330-character content). */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

function hashOf(content: string, occurrence: number): string {
  const text = occurrence > 0 ? `${content}#${occurrence}` : content;
  if (oneShot) return oneShot('sha256', text, 'hex').slice(0, 32);
  return crypto.createHash('sha256').update(text).digest().toString('hex', 0, 16);
}

/** The id of a record that is the first (occurrence 0) or the n-th repeat of its content in its request. */
export function deriveRecordId(record: LogRecord, occurrence = 0): string {
  return `${timePrefix(record.timestamp)}-${hashOf(contentOf(record), occurrence)}`;
}

/**
 * Ids for the records of one request, in request order: a record whose content an earlier record of the
 * request had gets that content's next occurrence index. The same request decoded again (a re-send, or
 * the same records in the other encoding) gets the same ids.
 */
export function createRequestIdDeriver(): (record: LogRecord) => string {
  const occurrences = new Map<string, number>();
  return (record) => {
    const content = contentOf(record);
    const first = hashOf(content, 0);
    const n = occurrences.get(first) ?? 0;
    occurrences.set(first, n + 1);
    return `${timePrefix(record.timestamp)}-${n === 0 ? first : hashOf(content, n)}`;
  };
}

/**
 * A metric point's id (ARCHITECTURE.md, "Record identity"): derived from its stream identity (name, unit, type,
 * temporality, monotonic, resource, scope, attributes) and its time, in the same form as a derived log id. The
 * same point sent again (a retry, the other encoding) gets the same id and is stored once; the next collection
 * of the stream has another time and so another id. The value is left out on purpose: one stream has one value at
 * one time, and a re-send that changed it is still the same point.
 */
export function derivePointId(p: MetricPoint): string {
  return pointId(p, canonical(p.resource), scopeContent(p));
}

/**
 * derivePointId for the points of one request or collection: the canonical JSON of a resource and of a scope is
 * computed once per object (the decoder gives a group's points the same two objects), the rest per point. The
 * objects must not change while it is in use. Same ids as derivePointId.
 */
export function createPointIdDeriver(): (p: MetricPoint) => string {
  const canonicalOf = new WeakMap<object, string>();
  const once = (o: object | undefined, make: () => string) => {
    if (o === null || typeof o !== 'object') return make();
    let c = canonicalOf.get(o);
    if (c === undefined) canonicalOf.set(o, (c = make()));
    return c;
  };
  return (p) => pointId(p, once(p.resource, () => canonical(p.resource)), once(p.scope, () => scopeContent(p)));
}

function pointId(p: MetricPoint, resource: string, scope: string): string {
  return `${timePrefix(p.time)}-${hashOf(`[${streamParts(p, resource, scope)},${canonical(p.time)}]`, 0)}`;
}

/** The stream identity's canonical JSON array without its brackets: name, unit, type, temporality, monotonic, resource, scope, attributes. */
function streamParts(p: MetricPoint, resource: string, scope: string): string {
  const head = [p.name, p.unit ?? '', p.type, p.temporality ?? null, p.monotonic ?? null].map(canonical).join(',');
  return `${head},${resource},${scope},${canonical(p.attributes)}`;
}

function scopeContent(p: MetricPoint): string {
  return canonical({ name: p.scope?.name ?? '', version: p.scope?.version ?? null, attributes: p.scope?.attributes ?? {} });
}

/**
 * A point's stream identity (its id's content without the time) as 32 hex characters: every point of one stream
 * gets the same, whichever process computes it (the Kafka sink's message key, so a stream stays in one partition).
 */
export function streamKey(p: MetricPoint): string {
  return hashOf(`[${streamParts(p, canonical(p.resource), scopeContent(p))}]`, 0);
}
