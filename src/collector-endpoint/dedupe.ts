/**
 * The ingest's dedupe window: a record whose id was accepted recently (a re-sent request, a beacon whose
 * page closed and the same records replayed from IndexedDB on the next visit) is not appended to the
 * write-ahead log again, and the request still succeeds: the first copy is already durable. Ids: a log
 * record's record_id, a span's trace_id + span_id, a metric point's point_id. Within one request the first record of an id is kept.
 *
 * An id enters the window only once the append that carried it succeeded, so a failed append (log full,
 * disk error) poisons nothing and the client's retry is stored. While an append is in flight its ids are
 * pending: a request carrying one of them waits for that append to settle before it decides (the records
 * are then either durable, and dropped, or not, and appended by the waiter).
 */
import type { Batch, LogRecord, MetricPoint, SpanRecord } from '../shared/model.js';
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

/** `m:` then the point id: never a span key (a NUL first), and no log id isotel makes or derives starts `m:`. */
export function pointKey(p: MetricPoint): string {
  return `m:${p.point_id}`;
}

export class IngestDedupe {
  private readonly window: IdWindow;
  /** The outcomes of the appends in flight, by slot (the window stores -(slot + 1) for their ids). */
  private readonly inFlight: Array<Promise<void> | undefined> = [];
  private readonly freeSlots: number[] = [];
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
    const pointKeys = batch.metrics.map(pointKey);
    const waits = this.othersInFlight([logKeys, spanKeys, pointKeys]);
    if (waits) return this.appendAfter([...waits], batch, append);

    this.window.expire();
    const slot = this.freeSlots.pop() ?? this.inFlight.length;
    const marker = -(slot + 1);
    const claimed: string[] = [];
    const fresh = (k: string): boolean => {
      // Known here is either accepted (a duplicate) or this very request's (a sibling with the same id): others
      // in flight were waited for above.
      if (this.window.lookup(k) !== undefined) return false;
      claimed.push(this.window.claim(k, marker));
      return true;
    };
    const logs = batch.logs.filter((_, i) => fresh(logKeys[i]));
    const spans = batch.spans.filter((_, i) => fresh(spanKeys[i]));
    const metrics = batch.metrics.filter((_, i) => fresh(pointKeys[i]));
    const appended = logs.length + spans.length + metrics.length;
    const duplicates = batch.logs.length + batch.spans.length + batch.metrics.length - appended;
    if (appended === 0) {
      this.freeSlots.push(slot);
      this.dropped += duplicates;
      return Promise.resolve({ result: { ok: true }, appended, duplicates });
    }
    const settled = append(duplicates === 0 ? batch : { logs, spans, metrics }).catch(
      (err: unknown): AppendResult => ({ ok: false, reason: 'io', message: err instanceof Error ? err.message : String(err) }),
    );
    this.inFlight[slot] = this.settle(claimed, slot, settled);
    return settled.then((result) => {
      // Counted once the request succeeds: a failed one is retried and would count its duplicates again.
      if (result.ok) this.dropped += duplicates;
      return { result, appended, duplicates };
    });
  }

  /** The outcomes this request must wait for: appends in flight that carry one of its ids. */
  private othersInFlight(lists: string[][]): Set<Promise<void>> | undefined {
    let waits: Set<Promise<void>> | undefined;
    for (const keys of lists) {
      for (const k of keys) {
        const state = this.window.lookup(k);
        const done = state !== undefined && state < 0 ? this.inFlight[-state - 1] : undefined;
        if (done) (waits ??= new Set()).add(done);
      }
    }
    return waits;
  }

  /**
   * Rare (the same ids in two requests at once): this request's records wait in memory for the other append.
   * A method of its own so that no closure of appendOnce holds the batch while its append waits for the disk.
   */
  private appendAfter(waits: Array<Promise<void>>, batch: Batch, append: (batch: Batch) => Promise<AppendResult>): Promise<AppendOnceResult> {
    return Promise.all(waits).then(() => this.appendOnce(batch, append));
  }

  /** The ids are in flight until the append settles, then remembered if it succeeded, forgotten if not. */
  private async settle(claimed: string[], slot: number, settled: Promise<AppendResult>): Promise<void> {
    const result = await settled;
    if (result.ok && this.window.enabled) this.window.add(claimed);
    else this.window.release(claimed, -(slot + 1));
    this.inFlight[slot] = undefined;
    this.freeSlots.push(slot);
  }
}
