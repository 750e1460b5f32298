/** Polling with a deadline: every wait in the browser tests is one of these, never a fixed sleep. */

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Extra text for the timeout error (e.g. the tail of the demo server's output). */
  detail?: () => string;
}

export type Probe<T> = () => Promise<T | undefined | null | false> | T | undefined | null | false;

/**
 * Calls `probe` until it returns a truthy value (resolved with it) or the deadline passes (rejects with
 * `what`, the last value seen and the last error the probe threw: a throwing probe is retried, since the
 * thing it reads may not exist yet).
 */
export async function waitFor<T>(what: string, probe: Probe<T>, options: WaitOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 250;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let lastValue: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      lastValue = value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  const parts = [`timed out after ${(timeoutMs / 1000).toFixed(1)} s waiting for ${what}`];
  if (lastError !== undefined) parts.push(`last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  else parts.push(`last value: ${JSON.stringify(lastValue)}`);
  const detail = options.detail?.();
  if (detail) parts.push(detail);
  throw new Error(parts.join('\n'));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
