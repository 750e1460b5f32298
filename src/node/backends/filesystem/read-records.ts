import { promises as fsp } from 'node:fs';
import type { SpanRecord } from '../../../shared/model.js';

// Reading records back from the JSONL files, for the query API (backend.ts, span-search.ts).

/** The records in the last `maxBytes` of the given files (newest files last), skipping a partial first line. */
export async function tailRecords<T>(files: string[], maxBytes: number): Promise<T[]> {
  const out: T[] = [];
  let budget = maxBytes;
  for (const file of [...files].reverse()) {
    if (budget <= 0) break;
    const st = await fsp.stat(file).catch(() => null);
    if (!st || st.size === 0) continue;
    const start = Math.max(0, st.size - budget);
    budget -= st.size - start;
    const fh = await fsp.open(file, 'r');
    try {
      const buf = Buffer.alloc(st.size - start);
      await fh.read(buf, 0, buf.length, start);
      const lines = buf.toString('utf8').split('\n');
      if (start > 0) lines.shift();
      for (const line of lines) {
        if (!line) continue;
        try {
          out.push(JSON.parse(line) as T);
        } catch {
          // a torn line: not a record
        }
      }
    } finally {
      await fh.close();
    }
  }
  return out;
}

export const spanKey = (s: SpanRecord): string => `${s.trace_id}-${s.span_id}`;

/**
 * The backend skips lines sent again (replay-guard.ts), but a file may still repeat one: written by an older
 * version, by another process, or beyond the guard's window. The query shows each record once regardless.
 */
export function dedupe<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
