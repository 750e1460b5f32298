/**
 * The server's trace for this page: isotel/node answers with `Server-Timing: traceparent;desc="00-…-01"`,
 * which the browser exposes on the navigation timing entry. Parsed by core's pattern (sdk/w3c.ts).
 */
import type { SpanContext } from '@opentelemetry/api';
import { parseTraceParent } from './sdk/w3c.js';

export function serverTraceparent(navigationEntry: unknown): SpanContext | null {
  const list = (navigationEntry as { serverTiming?: unknown } | undefined)?.serverTiming;
  if (!Array.isArray(list)) return null;
  for (const st of list as Array<{ name?: unknown; description?: unknown }>) {
    if (st && st.name === 'traceparent') return typeof st.description === 'string' ? parseTraceParent(st.description) : null;
  }
  return null;
}
