import { spanId, type Batch, type LogRecord, type SpanRecord } from '../../shared/model.js';

/** Small pure helpers on batches shared by the wrappers. A batch's records are its logs, then its spans. */

export function recordCount(batch: Batch): number {
  return batch.logs.length + batch.spans.length;
}

/** The id every backend write is idempotent on (ARCHITECTURE.md, "Record identity"). */
export function logId(record: LogRecord): string {
  return record.record_id;
}

export function recordIds(batch: Batch): string[] {
  return [...batch.logs.map(logId), ...batch.spans.map(spanId)];
}

/** Splits after the first `n` records (logs first): `[head, rest]`. Never copies when nothing needs splitting. */
export function splitBatch(batch: Batch, n: number): [Batch, Batch] {
  if (n >= recordCount(batch)) return [batch, { logs: [], spans: [] }];
  if (n <= batch.logs.length) {
    return [
      { logs: batch.logs.slice(0, n), spans: [] },
      { logs: batch.logs.slice(n), spans: batch.spans },
    ];
  }
  const s = n - batch.logs.length;
  return [
    { logs: batch.logs, spans: batch.spans.slice(0, s) },
    { logs: [], spans: batch.spans.slice(s) },
  ];
}

/** One batch out of several, in order. Returns the only batch as is (no copy) when there is one. */
export function concatBatches(batches: Batch[]): Batch {
  if (batches.length === 1) return batches[0];
  const logs: LogRecord[] = [];
  const spans: SpanRecord[] = [];
  for (const b of batches) {
    for (const r of b.logs) logs.push(r);
    for (const s of b.spans) spans.push(s);
  }
  return { logs, spans };
}

/** The records of `batch` with the given ids, keyed by id (for the dead-letter file). */
export function recordsById(batch: Batch, ids: Iterable<string>): Map<string, LogRecord | SpanRecord> {
  const wanted = new Set(ids);
  const found = new Map<string, LogRecord | SpanRecord>();
  if (wanted.size === 0) return found;
  for (const r of batch.logs) if (wanted.has(r.record_id)) found.set(r.record_id, r);
  for (const s of batch.spans) {
    const id = spanId(s);
    if (wanted.has(id)) found.set(id, s);
  }
  return found;
}
