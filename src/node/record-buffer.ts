import type { Batch, LogRecord, SpanRecord } from '../shared/model.js';

export interface BatchTarget {
  enqueue(batch: Batch): void;
}

/**
 * The logger's hot path ends here: a record is pushed onto an array (a few ns) and the array is handed to the
 * delivery layer once it holds `maxBatch` records or on the next turn of the event loop, whichever is first.
 * The delivery layer bounds memory (and spills to disk); this buffer never holds more than one batch.
 */
export class RecordBuffer {
  private logs: LogRecord[] = [];
  private spans: SpanRecord[] = [];
  private scheduled = false;

  constructor(
    private target: BatchTarget,
    private readonly maxBatch = 1000,
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
    this.target.enqueue(batch);
  };

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.drain);
  }
}
