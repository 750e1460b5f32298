/**
 * A single record larger than a request may be (60 KB) must not block the queue forever: every string of
 * its body, attributes, events and links longer than a cap is cut, halving the cap until the record fits;
 * it then carries `isotel.truncated: true`. Works on a copy.
 */
import type { AnyValue, LogRecord, SpanRecord } from '../../shared/model.js';

const MARKER = '…[truncated]';

/** Cuts strings longer than cap (in place) and returns the longest length seen before cutting. */
function cut(holder: Record<string, AnyValue> | AnyValue[], cap: number, depth = 0): number {
  let longest = 0;
  const h = holder as Record<string, AnyValue>;
  for (const k of Object.keys(h)) {
    const v = h[k];
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

export function shrinkRecord<T extends LogRecord | SpanRecord>(record: T, size: (r: T) => number, maxBytes: number): T | undefined {
  const copy = JSON.parse(JSON.stringify(record)) as T;
  copy.attributes['isotel.truncated'] = true;
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
  copy.attributes = { 'isotel.truncated': true };
  if ('body' in copy) copy.body = typeof copy.body === 'string' ? copy.body.slice(0, 1024) + MARKER : '[truncated]';
  if ('events' in copy) copy.events = [];
  if ('links' in copy) copy.links = [];
  return size(copy) <= maxBytes ? copy : undefined;
}
