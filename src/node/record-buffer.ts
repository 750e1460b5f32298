import type { Batch, LogRecord, MetricPoint, SpanRecord } from '../shared/model.js';

export interface BatchTarget {
  enqueue(batch: Batch): void;
}

/** An ended span whose record is built at hand-off, off the application's path (undefined: not recordable). */
export interface SpanSource {
  toSpanRecord(): SpanRecord | undefined;
}

function isSource(s: SpanRecord | SpanSource): s is SpanSource {
  return typeof (s as SpanSource).toSpanRecord === 'function';
}

function records(spans: Array<SpanRecord | SpanSource>): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const s of spans) {
    if (!isSource(s)) out.push(s);
    else {
      const r = s.toSpanRecord();
      if (r !== undefined) out.push(r);
    }
  }
  return out;
}

/**
 * Hand-offs to the delivery layer are at least this far apart unless a batch fills. Each hand-off has a fixed
 * cost (the JSONL channel packs a chunk, settles it, pokes its writer thread), and a service ends a few spans
 * per event-loop turn: handed off every turn, 4 spans a turn cost 13 µs of CPU each, spaced 7 µs (2-core VM,
 * `npm run bench -- --only=tracing`, row "4 spans per event-loop turn"; the HTTP table shows the effect on a
 * service). A service spreads its requests over time, so each hand-off also wakes the JSONL writer thread and is
 * woken by its answer, which on a VM costs more than the records themselves: 5 → 20 ms took isotel's CPU per
 * simulated request (4 spans + 3 histogram records, 2 requests per 1 ms timer turn) from 138-153 to 112-116 µs
 * (2-core VM, same session). 20 ms more before a record reaches its backend is invisible next to the backends'
 * own delay (sdk-trace's BatchSpanProcessor waits 5 s); flush() and close() still hand off at once.
 */
export const MIN_HANDOFF_INTERVAL_MS = 20;

/** Spans a synchronous burst may buffer, in batches, before end() itself hands them off (memory bound). */
export const SYNC_BATCHES = 8;

const monotonicMs = (): number => performance.now();

/**
 * The logger's hot path ends here: a record is pushed onto an array (a few ns) and the array is handed to the
 * delivery layer once it holds `maxBatch` records; else on the next turn of the event loop, or
 * MIN_HANDOFF_INTERVAL_MS after the last hand-off when that was more recent. The delivery layer bounds memory
 * (and spills to disk); this buffer never holds more than one batch.
 */
export class RecordBuffer {
  private logs: LogRecord[] = [];
  private spans: Array<SpanRecord | SpanSource> = [];
  private metrics: MetricPoint[] = [];
  private scheduled = false;
  private immediate = false;
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

  /**
   * A full batch of spans is handed off on the next turn, not inside the span's end(): building the records
   * and the backends' encoding stay off the application's path (span start+end 1.4-2.9 → 0.59-0.70 µs median
   * on a 2-core VM when the GC's helper threads have a core; README Benchmarks, `npm run bench -- --only=tracing`).
   * A synchronous burst is bounded: at SYNC_BATCHES batches it drains now.
   */
  pushSpan(s: SpanRecord | SpanSource): void {
    const n = this.spans.push(s);
    if (n >= this.maxBatch * SYNC_BATCHES) this.drain();
    else if (n >= this.maxBatch) this.schedule(true);
    else this.schedule();
  }

  /** A collection of the meter provider (once per export interval, or at flush): handed off with the next batch. */
  pushMetrics(points: MetricPoint[]): void {
    for (const p of points) this.metrics.push(p);
    if (this.metrics.length >= this.maxBatch) this.drain();
    else this.schedule();
  }

  /** Hands everything buffered to the target now, in batches of at most maxBatch records of each signal. */
  drain = (): void => {
    this.scheduled = false;
    this.immediate = false;
    if (this.logs.length === 0 && this.spans.length === 0 && this.metrics.length === 0) return;
    const logs = this.logs;
    const spans = this.spans;
    const metrics = this.metrics;
    this.logs = [];
    this.spans = [];
    this.metrics = [];
    this.lastHandoff = this.now();
    for (let i = 0; i < metrics.length; i += this.maxBatch) this.target.enqueue({ logs: [], spans: [], metrics: metrics.slice(i, i + this.maxBatch) });
    if (logs.length === 0 && spans.length === 0) return;
    if (spans.length <= this.maxBatch) {
      this.target.enqueue({ logs, spans: spans.length === 0 ? [] : records(spans), metrics: [] });
      return;
    }
    this.target.enqueue({ logs, spans: records(spans.slice(0, this.maxBatch)), metrics: [] });
    for (let i = this.maxBatch; i < spans.length; i += this.maxBatch) this.target.enqueue({ logs: [], spans: records(spans.slice(i, i + this.maxBatch)), metrics: [] });
  };

  private schedule(now = false): void {
    if (now && !this.immediate) {
      this.immediate = true;
      this.scheduled = true;
      setImmediate(this.drain); // a timer already set fires later on an empty buffer: harmless
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.lastHandoff + MIN_HANDOFF_INTERVAL_MS - this.now();
    if (wait <= 0) setImmediate(this.drain);
    // Not unref'd, like the setImmediate before it: it carries records, and holds a process for MIN_HANDOFF_INTERVAL_MS at most.
    else setTimeout(this.drain, wait);
  }
}
