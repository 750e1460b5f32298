/**
 * The server's trace for this page: isotel/node answers with `Server-Timing: traceparent;desc="00-…-01"`,
 * which the browser exposes on the navigation timing entry. Parsed by @opentelemetry/core's W3C parser,
 * which the full build ships anyway (the shared parser would add 1 KB).
 */
import type { SpanContext } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';

export function serverTraceparent(navigationEntry: unknown): SpanContext | null {
  const list = (navigationEntry as { serverTiming?: unknown } | undefined)?.serverTiming;
  if (!Array.isArray(list)) return null;
  for (const st of list as Array<{ name?: unknown; description?: unknown }>) {
    if (st && st.name === 'traceparent') return typeof st.description === 'string' ? parseTraceParent(st.description) : null;
  }
  return null;
}
