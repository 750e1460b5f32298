/**
 * What every backend, transport and queue returns instead of throwing (house rule 3).
 */
export type WriteResult =
  | { status: 'success' }
  | { status: 'retryable'; delayMs: number; reason: string }
  /**
   * Some records were refused for good (they go to the dead-letter file, never retried); every record
   * of the batch that is not listed in `reasons` was stored.
   */
  | { status: 'failure'; reasons: RejectedItem[] };

/** A record a backend refused for good (for example an Elasticsearch mapping error). */
export interface RejectedItem {
  /** record_id of a log, or `${trace_id}-${span_id}` of a span. */
  id: string;
  reason: string;
}

// Pure: a bundle that never uses it (the browser builds) leaves it out.
export const SUCCESS: WriteResult = /* @__PURE__ */ Object.freeze({ status: 'success' });

export function retryable(reason: string, delayMs = 0): WriteResult {
  return { status: 'retryable', delayMs, reason };
}

export function failure(reasons: RejectedItem[]): WriteResult {
  return { status: 'failure', reasons };
}

/** Turns anything thrown into a message, never throwing itself. */
export function errorMessage(err: unknown): string {
  try {
    if (err instanceof Error) return err.message || err.name;
    return String(err);
  } catch {
    return 'unprintable error';
  }
}
