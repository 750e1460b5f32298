/** A Retry-After beyond this is capped: a misconfigured server must not silence a sender for a day. */
export const RETRY_AFTER_MAX_MS = 60 * 60_000;

/** Retry-After as delta-seconds or an HTTP date, in ms from `nowMs`; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(Math.max(0, ms), RETRY_AFTER_MAX_MS);
}
