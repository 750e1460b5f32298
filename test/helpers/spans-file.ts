import { existsSync, readFileSync } from 'node:fs';
import type { SpanRecord } from '../../src/shared/model.js';

/** The spans of a JSONL spans file (`<log_file>.spans.jsonl`), as written so far. */
export function readSpans(file: string): SpanRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SpanRecord);
}

/** Calls `flush` and re-reads `file` until `done(spans)` holds (or throws after `timeoutMs`, with what it saw). */
export async function waitForSpans(
  file: string,
  flush: () => Promise<void>,
  done: (spans: SpanRecord[]) => boolean,
  timeoutMs = 10_000,
): Promise<SpanRecord[]> {
  const until = Date.now() + timeoutMs;
  let spans: SpanRecord[] = [];
  while (Date.now() < until) {
    await flush();
    spans = readSpans(file);
    if (done(spans)) return spans;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`spans not written within ${timeoutMs} ms; have: ${spans.map((s) => `${s.kind} ${s.name}`).join(', ')}`);
}

/** The spans of one trace whose parent is `parent`. */
export function childrenOf(spans: SpanRecord[], parent: SpanRecord): SpanRecord[] {
  return spans.filter((s) => s.trace_id === parent.trace_id && s.parent_span_id === parent.span_id);
}
