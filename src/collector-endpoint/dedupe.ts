/**
 * The ingest's dedupe window: a record whose id was accepted recently (a re-sent request, a beacon whose
 * page closed and the same records replayed from IndexedDB on the next visit) is not appended to the
 * write-ahead log again, and the request still succeeds: the first copy is already durable. Ids: a log
 * record's record_id, a span's trace_id + span_id. Within one request the first record of an id is kept.
 *
 * An id enters the window only once the append that carried it succeeded, so a failed append (log full,
 * disk error) poisons nothing and the client's retry is stored. While an append is in flight its ids are
 * pending: a request carrying one of them waits for that append to settle before it decides (the records
 * are then either durable, and dropped, or not, and appended by the waiter).
 */
import type { Batch, LogRecord, SpanRecord } from '../shared/model.js';
import type { AppendResult } from '../node/engine/index.js';
import { IdWindow, type IdWindowOptions } from './id-window.js';

export interface AppendOnceResult {
  /** The append's outcome; ok with nothing appended when every record was a duplicate. */
  result: { ok: true } | Extract<AppendResult, { ok: false }>;
  /** Records appended. */
  appended: number;
  /** Records dropped as duplicates (of the window, of an append in flight, or of a sibling in the request). */
  duplicates: number;
}

export interface DedupeStats {
  ids: number;
  max_ids: number;
  window_seconds: number;
  duplicates_dropped: number;
}

export function logKey(r: LogRecord): string {
  return r.record_id;
}

/**
 * A NUL then the 24 bytes of trace_id + span_id (25 characters instead of 48): never a log id, whose
 * characters are [A-Za-z0-9._:-].
 */
export function spanKey(s: SpanRecord): string {
  return Buffer.from(`00${s.trace_id}${s.span_id}`, 'hex').toString('latin1');
}

export class IngestDedupe {
  private readonly window: IdWindow;
  /** The appends in flight, each with the ids it carries (no per-id bookkeeping while nothing overlaps). */
  private readonly inFlight = new Set<{ keys: ReadonlySet<string>; done: Promise<void> }>();
  private dropped = 0;

  constructor(private readonly opts: IdWindowOptions) {
    this.window = new IdWindow(opts);
  }

  stats(): DedupeStats {
    return { ids: this.window.size, max_ids: this.opts.maxIds, window_seconds: this.opts.windowSeconds, duplicates_dropped: this.dropped };
  }

  /**
   * Appends the batch's records that are new. Synchronous up to the append when no id is pending elsewhere
   * (the common case), so the records are referenced by the append alone while it waits for the disk.
   */
  appendOnce(batch: Batch, append: (batch: Batch) => Promise<AppendResult>): Promise<AppendOnceResult> {
    const logKeys = batch.logs.map(logKey);
    const spanKeys = batch.spans.map(spanKey);
    const waits: Array<Promise<void>> = [];
    for (const f of this.inFlight) {
      if (logKeys.some((k) => f.keys.has(k)) || spanKeys.some((k) => f.keys.has(k))) waits.push(f.done);
    }
    if (waits.length > 0) return this.appendAfter(waits, batch, append);

    this.window.expire();
    const kept = new Set<string>();
    const fresh = (k: string): boolean => {
      if (kept.has(k) || this.window.has(k)) return false;
      kept.add(k);
      return true;
    };
    const logs = batch.logs.filter((_, i) => fresh(logKeys[i]));
    const spans = batch.spans.filter((_, i) => fresh(spanKeys[i]));
    const appended = logs.length + spans.length;
    const duplicates = batch.logs.length + batch.spans.length - appended;
    if (appended === 0) {
      this.dropped += duplicates;
      return Promise.resolve({ result: { ok: true }, appended, duplicates });
    }

    const settled = append(duplicates === 0 ? batch : { logs, spans }).catch(
      (err: unknown): AppendResult => ({ ok: false, reason: 'io', message: err instanceof Error ? err.message : String(err) }),
    );
    if (this.window.enabled) this.track(kept, settled);
    return settled.then((result) => {
      // Counted once the request succeeds: a failed one is retried and would count its duplicates again.
      if (result.ok) this.dropped += duplicates;
      return { result, appended, duplicates };
    });
  }

  /**
   * Rare (the same ids in two requests at once): this request's records wait in memory for the other append.
   * A method of its own so that no closure of appendOnce holds the batch while its append waits for the disk.
   */
  private appendAfter(waits: Array<Promise<void>>, batch: Batch, append: (batch: Batch) => Promise<AppendResult>): Promise<AppendOnceResult> {
    return Promise.all(waits).then(() => this.appendOnce(batch, append));
  }

  /** The ids are in flight until the append settles, then remembered if it succeeded. */
  private track(keys: ReadonlySet<string>, settled: Promise<AppendResult>): void {
    const entry = {
      keys,
      done: settled.then((result) => {
        this.inFlight.delete(entry);
        if (result.ok) this.window.add(keys);
      }),
    };
    this.inFlight.add(entry);
  }
}
