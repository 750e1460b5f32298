/**
 * A single record larger than a request may be (60 KB) must not block the queue forever: every string of
 * its body, attributes, events and links longer than a cap is cut, halving the cap until the record fits;
 * it then carries `isotel.truncated: true`. Works on a copy. Logs are in the model's form, spans in OTLP
 * form (attributes as a KeyValue list, whose keys are left whole).
 */
import type { AnyValue, LogRecord } from '../../shared/model.js';
import type { OtlpSpanRecord } from '../../shared/otlp/types.js';

const MARKER = '…[truncated]';

/** Cuts strings longer than cap (in place) and returns the longest length seen before cutting. */
function cut(holder: Record<string, AnyValue> | AnyValue[], cap: number, depth = 0): number {
  let longest = 0;
  const h = holder as Record<string, AnyValue>;
  // An OTLP KeyValue's name is left whole (were anything else shaped so, the fallback below handles it).
  const keyValue = typeof h.value === 'object' && h.value !== null;
  for (const k of Object.keys(h)) {
    const v = h[k];
    if (k === 'key' && keyValue) continue;
    if (typeof v === 'string') {
      longest = Math.max(longest, v.length);
      if (v.length > cap) {
        // Never split a surrogate pair.
        const end = v.charCodeAt(cap - 1) >> 10 === 0x36 ? cap - 1 : cap;
        h[k] = v.slice(0, end) + MARKER;
      }
    } else if (v !== null && typeof v === 'object' && depth < 32) {
      longest = Math.max(longest, cut(v, cap, depth + 1));
    }
  }
  return longest;
}

const TRUNCATED = 'isotel.truncated';

/** Adds `isotel.truncated: true` to the attributes (`only`: instead of them), in the record's form. */
function mark(r: LogRecord | OtlpSpanRecord, only: boolean): void {
  if (Array.isArray(r.attributes)) {
    const kv = { key: TRUNCATED, value: { boolValue: true } };
    if (only) r.attributes = [kv];
    else r.attributes.push(kv);
  } else if (only) r.attributes = { [TRUNCATED]: true };
  else (r.attributes as Record<string, AnyValue>)[TRUNCATED] = true;
}

export function shrinkRecord<T extends LogRecord | OtlpSpanRecord>(record: T, size: (r: T) => number, maxBytes: number): T | undefined {
  const copy = JSON.parse(JSON.stringify(record)) as T;
  mark(copy, false);
  const parts = copy as unknown as Record<string, AnyValue>;
  const fields = ['body', 'attributes', 'events', 'links'].filter((k) => k in parts);
  const slots = Object.fromEntries(fields.map((k) => [k, parts[k]])) as Record<string, AnyValue>;
  let cap = cut(slots, Infinity);
  while (size(copy) > maxBytes && cap > 64) {
    cap >>= 1;
    cut(slots, cap);
    for (const k of fields) parts[k] = slots[k];
  }
  if (size(copy) <= maxBytes) return copy;
  // Too many keys to fit whatever the strings: keep identity, severity, times and the start of the body.
  mark(copy, true);
  if ('body' in copy) copy.body = typeof copy.body === 'string' ? copy.body.slice(0, 1024) + MARKER : '[truncated]';
  if ('events' in copy) copy.events = [];
  if ('links' in copy) copy.links = [];
  return size(copy) <= maxBytes ? copy : undefined;
}
