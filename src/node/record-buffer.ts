import type { Batch, LogRecord, SpanRecord } from '../shared/model.js';

export interface BatchTarget {
  enqueue(batch: Batch): void;
}

/**
 * Hand-offs to the delivery layer are at least this far apart unless a batch fills. Each hand-off has a fixed
 * cost (the JSONL channel packs a chunk, settles it, pokes its writer thread), and a service ends a few spans
 * per event-loop turn: handed off every turn, 4 spans a turn cost 13 µs of CPU each, spaced 7 µs (2-core VM,
 * `npm run bench -- --only=tracing`, row "4 spans per event-loop turn"; the HTTP table shows the effect on a
 * service). 5 ms more before a record reaches its backend is invisible next to the backends' own delay.
 */
export const MIN_HANDOFF_INTERVAL_MS = 5;

const monotonicMs = (): number => performance.now();

/**
 * The logger's hot path ends here: a record is pushed onto an array (a few ns) and the array is handed to the
 * delivery layer once it holds `maxBatch` records; else on the next turn of the event loop, or
 * MIN_HANDOFF_INTERVAL_MS after the last hand-off when that was more recent. The delivery layer bounds memory
 * (and spills to disk); this buffer never holds more than one batch.
 */
export class RecordBuffer {
  private logs: LogRecord[] = [];
  private spans: SpanRecord[] = [];
  private scheduled = false;
  private lastHandoff = Number.NEGATIVE_INFINITY;

  constructor(
    private target: BatchTarget,
    private readonly maxBatch = 1000,
    private readonly now: () => number = monotonicMs,
  ) {}

  retarget(target: BatchTarget): void {
    this.drain();
    this.target = target;
  }

  pushLog(r: LogRecord): void {
    this.logs.push(r);
    if (this.logs.length >= this.maxBatch) this.drain();
    else this.schedule();
  }

  pushSpan(s: SpanRecord): void {
    this.spans.push(s);
    if (this.spans.length >= this.maxBatch) this.drain();
    else this.schedule();
  }

  /** Hands everything buffered to the target now. */
  drain = (): void => {
    this.scheduled = false;
    if (this.logs.length === 0 && this.spans.length === 0) return;
    const batch: Batch = { logs: this.logs, spans: this.spans };
    this.logs = [];
    this.spans = [];
    this.lastHandoff = this.now();
    this.target.enqueue(batch);
  };

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.lastHandoff + MIN_HANDOFF_INTERVAL_MS - this.now();
    if (wait <= 0) setImmediate(this.drain);
    // Not unref'd, like the setImmediate before it: it carries records, and holds a process for 5 ms at most.
    else setTimeout(this.drain, wait);
  }
}
