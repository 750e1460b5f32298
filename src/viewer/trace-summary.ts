import { isError, parentOf } from './span-info.js';
import type { Trace } from './types.js';

/** One line of the trace list: what the search found, at a glance. */
export interface TraceSummary {
  traceID: string;
  rootName: string;
  rootService: string;
  /** Each service with its span count, most spans first. */
  services: { name: string; spans: number }[];
  spanCount: number;
  errorCount: number;
  /** µs since the epoch. */
  start: number;
  /** µs. */
  duration: number;
}

export function summarizeTrace(trace: Trace): TraceSummary {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const sorted = [...trace.spans].sort((a, b) => a.startTime - b.startTime);
  const root = sorted.find((s) => {
    const p = parentOf(s);
    return p === undefined || !ids.has(p);
  }) ?? sorted[0];
  const counts = new Map<string, number>();
  for (const s of trace.spans) {
    const name = trace.processes[s.processID]?.serviceName ?? s.processID;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const start = sorted[0]?.startTime ?? 0;
  const end = trace.spans.reduce((m, s) => Math.max(m, s.startTime + s.duration), start);
  return {
    traceID: trace.traceID,
    rootName: root?.operationName ?? '(no spans)',
    rootService: root ? (trace.processes[root.processID]?.serviceName ?? root.processID) : '',
    services: [...counts].map(([name, spans]) => ({ name, spans })).sort((a, b) => b.spans - a.spans || (a.name < b.name ? -1 : 1)),
    spanCount: trace.spans.length,
    errorCount: trace.spans.filter(isError).length,
    start,
    duration: end - start,
  };
}
