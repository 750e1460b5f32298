import { spanId, type Batch, type LogRecord, type MetricPoint, type SpanRecord } from '../../shared/model.js';

/** Small pure helpers on batches shared by the wrappers. A batch's records are its logs, then its spans, then its metric points. */

export function recordCount(batch: Batch): number {
  return batch.logs.length + batch.spans.length + batch.metrics.length;
}

/** The id every backend write is idempotent on (ARCHITECTURE.md, "Record identity"). */
export function logId(record: LogRecord): string {
  return record.record_id;
}

export function pointId(point: MetricPoint): string {
  return point.point_id;
}

export function recordIds(batch: Batch): string[] {
  return [...batch.logs.map(logId), ...batch.spans.map(spanId), ...batch.metrics.map(pointId)];
}

/** Splits after the first `n` records (logs, then spans, then points): `[head, rest]`. Never copies when nothing needs splitting. */
export function splitBatch(batch: Batch, n: number): [Batch, Batch] {
  if (n >= recordCount(batch)) return [batch, { logs: [], spans: [], metrics: [] }];
  const l = Math.min(n, batch.logs.length);
  const s = Math.min(n - l, batch.spans.length);
  const m = n - l - s;
  return [
    { logs: batch.logs.slice(0, l), spans: batch.spans.slice(0, s), metrics: batch.metrics.slice(0, m) },
    { logs: batch.logs.slice(l), spans: batch.spans.slice(s), metrics: batch.metrics.slice(m) },
  ];
}

/** One batch out of several, in order. Returns the only batch as is (no copy) when there is one. */
export function concatBatches(batches: Batch[]): Batch {
  if (batches.length === 1) return batches[0];
  const logs: LogRecord[] = [];
  const spans: SpanRecord[] = [];
  const metrics: MetricPoint[] = [];
  for (const b of batches) {
    for (const r of b.logs) logs.push(r);
    for (const s of b.spans) spans.push(s);
    for (const p of b.metrics) metrics.push(p);
  }
  return { logs, spans, metrics };
}

/** The records of `batch` with the given ids, keyed by id (for the dead-letter file). */
export function recordsById(batch: Batch, ids: Iterable<string>): Map<string, LogRecord | SpanRecord | MetricPoint> {
  const wanted = new Set(ids);
  const found = new Map<string, LogRecord | SpanRecord | MetricPoint>();
  if (wanted.size === 0) return found;
  for (const r of batch.logs) if (wanted.has(r.record_id)) found.set(r.record_id, r);
  for (const s of batch.spans) {
    const id = spanId(s);
    if (wanted.has(id)) found.set(id, s);
  }
  for (const p of batch.metrics) if (wanted.has(p.point_id)) found.set(p.point_id, p);
  return found;
}
