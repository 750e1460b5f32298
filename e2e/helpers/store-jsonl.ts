import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isObject, logFromModel, spanFromModel, type Json, type Store, type StoredLog, type StoredSpan } from './stores.js';

/**
 * The demo's JSONL backend: `<logDir>/demo.jsonl` (logs) and `demo.spans.jsonl` (spans), with their
 * rotated siblings. Every line is parsed; a line that is not JSON fails the read (a torn line is a bug).
 */
export function jsonlStore(logDir: string): Store {
  const lines = (matches: (file: string) => boolean): Json[] => {
    let files: string[];
    try {
      files = readdirSync(logDir).filter(matches);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []; // nothing written yet
      throw err;
    }
    const out: Json[] = [];
    for (const f of files) {
      const text = readFileSync(join(logDir, f), 'utf8');
      // The last line may be half-written while the backend appends: only complete lines count.
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      for (const line of complete.split('\n')) {
        if (line.trim() === '') continue;
        const v: unknown = JSON.parse(line);
        if (isObject(v)) out.push(v);
      }
    }
    return out;
  };
  const spanFiles = (f: string): boolean => f.startsWith('demo.spans.jsonl');
  const logFiles = (f: string): boolean => f.startsWith('demo.jsonl');
  const spans = (keep: (s: Json) => boolean): StoredSpan[] => lines(spanFiles).filter(keep).map((s) => spanFromModel(s, undefined));
  const logs = (keep: (l: Json) => boolean): StoredLog[] => lines(logFiles).filter(keep).map((l) => logFromModel(l, undefined, l.body));
  const attr = (r: Json, key: string): unknown => (isObject(r.attributes) ? r.attributes[key] : undefined);
  return {
    name: 'jsonl',
    spansOfTrace: async (traceId) => spans((s) => s.trace_id === traceId),
    logsOfTrace: async (traceId) => logs((l) => l.trace_id === traceId),
    spansWithAttribute: async (key, value) => spans((s) => attr(s, key) === value),
    logsWithAttribute: async (key, value) => logs((l) => attr(l, key) === value),
    close: async () => undefined,
  };
}
