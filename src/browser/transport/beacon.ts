/**
 * The page-hide path: synchronous, because the page may be gone at the next task. Candidates are packed
 * into bodies that fit what is left of the 64 KiB keepalive budget and handed to sendBeacon as text/plain
 * (no CORS preflight; the ingest key goes in the query since a beacon has no headers). A beacon's bytes
 * stay reserved for a while: its completion cannot be observed.
 */
import type { Diag } from '../../shared/diag.js';
import type { KeyedEntry, QueueEntry } from '../queue/types.js';
import type { Timers } from '../timers.js';
import type { KeepaliveBudget } from './budget.js';
import { chunkEntries } from './chunk.js';
import type { BeaconFn } from './request.js';
import { signalUrl } from './url.js';

const BEACON_HOLD_MS = 10_000;

export interface BeaconContext {
  beacon: BeaconFn;
  budget: KeepaliveBudget;
  endpoint: string;
  ingestKey?: string;
  maxBytes: number;
  timers: Timers;
  diag: Diag;
}

/** Beacons what fits; returns the entries given to sendBeacon (the caller marks them inflight). */
export function beaconEntries(c: BeaconContext, candidates: Map<string, QueueEntry>, sentAt: number): KeyedEntry[] {
  const sent: KeyedEntry[] = [];
  if (candidates.size === 0) return sent;
  const { chunks } = chunkEntries(Array.from(candidates), Math.min(c.maxBytes, c.budget.remaining()));
  for (const chunk of chunks) {
    if (!c.budget.reserve(chunk.bytes)) break;
    let ok = false;
    try {
      ok = c.beacon(signalUrl(c.endpoint, chunk.signal, sentAt, c.ingestKey), new Blob([chunk.body], { type: 'text/plain' }));
    } catch (err) {
      c.diag.warn('B16' /* sendBeacon threw */, err);
    }
    if (!ok) {
      // Refused (over the browser's quota, or no beacons here): what is left waits for the next load.
      c.budget.release(chunk.bytes);
      break;
    }
    c.timers.setTimeout(() => c.budget.release(chunk.bytes), BEACON_HOLD_MS);
    for (const [k] of chunk.entries) sent.push([k, candidates.get(k) as QueueEntry]);
  }
  return sent;
}
