/**
 * IndexedDB contents are a trust boundary (another version of the SDK, another tab, a browser bug):
 * entries are narrowed here before the queue uses them. The record's shape was checked when it was
 * made; what is checked here is what the queue and the encoder rely on.
 */
import type { QueueEntry, DropCounts } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The kinds this version sends. */
export const isKnownKind = (e: QueueEntry): boolean => e.kind === 'log' || e.kind === 'span' || e.kind === 'metric';

/**
 * True for an entry the queue keeps. One of a kind this version does not know (a later SDK's, written by a tab
 * running it: all tabs share the store) is kept as it is, for a tab that knows its kind: never read out to be
 * sent (queue.ts), never deleted as corrupt, and counted toward the bounds like any entry. (Versions before
 * this rule deleted such entries as corrupt: a tab of one of them deletes the meter's `metric` entries; see
 * the README's browser meter section.)
 */
export function isQueueEntry(v: unknown): v is QueueEntry {
  if (!isObject(v) || (v.state !== 'pending' && v.state !== 'inflight') || typeof v.bytes !== 'number' || typeof v.kind !== 'string') return false;
  if (!isKnownKind(v as QueueEntry)) return true;
  const r = v.record;
  if (!isObject(r) || !isObject(r.resource) || !isObject(r.scope)) return false;
  // A metric (the browser meter's) has no attributes of its own: its data points have
  if (v.kind === 'metric') return typeof r.name === 'string';
  return isObject(r.attributes) && (v.kind === 'log' ? typeof r.record_id === 'string' : v.kind === 'span' && typeof r.spanId === 'string');
}

export function asDropCounts(v: unknown): DropCounts {
  const out: DropCounts = {};
  if (isObject(v)) for (const k in v) if (typeof v[k] === 'number') out[k] = v[k] as number;
  return out;
}
