/**
 * What an ingest answer means for the records of a batch (the policy; no I/O but reading the body):
 * 2xx → delivered (a partial_success means the valid ones were stored: all leave the queue, the rejected
 * ones are counted); 400 with partial_success → the same; 408, 429, 5xx (and anything odd) → retry,
 * after Retry-After on 429/503; 413 → split the batch; any other 4xx → drop, counted with the status.
 */
import { parseRetryAfter } from './backoff.js';
import type { TransportResponse } from './request.js';

export type SendOutcome =
  | { kind: 'delivered'; rejected: number; message?: string }
  | { kind: 'retry'; reason: string; delayMs?: number }
  | { kind: 'drop'; reason: string }
  | { kind: 'split' };

/** The OTLP partial_success of a response body, if it has one. */
async function partialSuccess(res: TransportResponse): Promise<{ rejected: number; message?: string } | undefined> {
  try {
    const ps: unknown = JSON.parse(await res.text()).partialSuccess;
    if (typeof ps !== 'object' || ps === null) return undefined;
    const p = ps as Record<string, unknown>;
    return { rejected: Number(p.rejectedLogRecords || p.rejectedSpans || p.rejectedDataPoints) || 0, message: typeof p.errorMessage === 'string' ? p.errorMessage : undefined };
  } catch {
    return undefined; // no body, not JSON, unreadable: the ingest sent no OTLP answer to read
  }
}

export async function classifyResponse(res: TransportResponse, nowMs: number): Promise<SendOutcome> {
  const s = res.status;
  const reason = `http_${s}`;
  if ((s >= 200 && s < 300) || s === 400) {
    const ps = await partialSuccess(res);
    if (s === 400 && !ps) return { kind: 'drop', reason };
    return { kind: 'delivered', rejected: 0, ...ps };
  }
  if (s === 413) return { kind: 'split' };
  if (s >= 400 && s < 500 && s !== 408 && s !== 429) return { kind: 'drop', reason };
  return { kind: 'retry', reason, delayMs: s === 429 || s === 503 ? parseRetryAfter(res.retryAfter, nowMs) : undefined };
}
