/**
 * The server's trace for this page: isotel/node answers with `Server-Timing: traceparent;desc="00-…-01"`,
 * which the browser exposes on the navigation timing entry.
 */
import { parseTraceparent, type TraceParent } from '../../shared/trace-context.js';

export function serverTraceparent(navigationEntry: unknown): TraceParent | null {
  const list = (navigationEntry as { serverTiming?: unknown } | undefined)?.serverTiming;
  if (!Array.isArray(list)) return null;
  for (const st of list as Array<{ name?: unknown; description?: unknown }>) {
    if (st && st.name === 'traceparent') return parseTraceparent(st.description);
  }
  return null;
}
