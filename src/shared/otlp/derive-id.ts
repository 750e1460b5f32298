/**
 * A deterministic record id for a log record that arrived without a log.record.uid (a foreign OTLP
 * client): the same record sent twice (a client retry) gets the same id, so every backend write stays
 * idempotent. Node only (node:crypto): the ingest imports this file directly; it is not re-exported from
 * the codec's index, which the browser build bundles.
 *
 * Form: 10 Crockford base32 characters of the timestamp's milliseconds (the same time prefix as isotel's
 * own record ids, so derived and native ids sort together by time), '-', then the first 32 hex characters
 * of a SHA-256 over a canonical JSON of what the record says: timestamp, severity, body, trace and span
 * ids, event name, attributes, resource and scope. The observed time is left out: a server sets it, and
 * a retry would change it.
 */
import { createHash } from 'node:crypto';
import type { AnyValue, LogRecord } from '../model.js';
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

export function deriveRecordId(record: LogRecord): string {
  const content = canonical([
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
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 32);
  return `${timePrefix(record.timestamp)}-${hash}`;
}
