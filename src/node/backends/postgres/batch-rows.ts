import { spanId, type Batch, type LogRecord, type MetricPoint, type SpanRecord } from '../../../shared/model.js';
import { pointToRow } from './metric-rows.js';
import type { Diag } from '../../../shared/diag.js';
import type { RejectedItem } from '../../../shared/result.js';
import { newRepairs, sharedJsonText, type Repairs } from './clean.js';
import { copyText } from './copy-format.js';
import { errorFacts } from './errors.js';
import { logToRow, spanToRow, type Cell } from './rows.js';
import type { CopyText } from './writers.js';

export interface EncodedRows {
  rows: Cell[][];
  ids: string[];
}

/** A batch's rows and their ids; records that cannot be encoded go to `rejected`. */
export type TableKind = 'logs' | 'spans' | 'metrics';

export function batchRows(batch: Batch, rejected: RejectedItem[], repairs = newRepairs()): Record<TableKind, EncodedRows> {
  const shared = sharedJsonText(repairs);
  return {
    logs: encode(batch.logs, (r) => logToRow(r, repairs, shared), (r: LogRecord) => String(r?.record_id), rejected),
    spans: encode(batch.spans, (s) => spanToRow(s, repairs, shared), (s: SpanRecord) => spanId(s), rejected),
    metrics: encode(batch.metrics, (p) => pointToRow(p, repairs, shared), (p: MetricPoint) => String(p?.point_id), rejected),
  };
}

/**
 * The batch as COPY text, encoded at once: the transaction (and its idempotent retry) sends these bytes,
 * and the rows, 1,000 arrays of cells, are not held while it runs (in the ingest's dispatch worker they
 * were much of what every scavenge copied). Rows are encoded again only when a batch must be split.
 */
export function batchCopyText(batch: Batch, rejected: RejectedItem[], diag: Diag): Record<TableKind, CopyText> {
  const repairs = newRepairs();
  const rows = batchRows(batch, rejected, repairs);
  reportRepairs(repairs, diag);
  return { logs: copyText(rows.logs.rows), spans: copyText(rows.spans.rows), metrics: copyText(rows.metrics.rows) };
}

function reportRepairs(r: Repairs, diag: Diag): void {
  if (r.nul > 0) diag.count('postgres.nul_replaced', r.nul);
  if (r.surrogate > 0) diag.count('postgres.lone_surrogate_replaced', r.surrogate);
}

/** Maps records to rows; a record that cannot be encoded (not the model's shape) is rejected on its own. */
function encode<T>(records: readonly T[], toRow: (r: T) => Cell[], idOf: (r: T) => string, rejected: RejectedItem[]): EncodedRows {
  const rows: Cell[][] = [];
  const ids: string[] = [];
  for (const r of records) {
    let id = '';
    try {
      id = idOf(r);
      rows.push(toRow(r));
      ids.push(id);
    } catch (err) {
      rejected.push({ id, reason: `postgres backend: cannot encode the record: ${errorFacts(err).message}` });
    }
  }
  return { rows, ids };
}
