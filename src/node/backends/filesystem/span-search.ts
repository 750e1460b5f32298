import type { LogRecord, SpanRecord } from '../../../shared/model.js';
import { searchLogs } from '../log-search.js';
import { operationsOf, searchSpans, serviceOf, type TraceSearch } from '../trace-search.js';
import { dedupe, spanKey, tailRecords } from './read-records.js';

/**
 * The Jaeger query API's search (semantics in ../trace-search.ts) over the JSONL span files: a scan of the
 * newest SEARCH_BYTES of span lines (the files are bounded anyway: max_bytes × (backup_count + 1), 60 MiB by
 * default), filtered in memory. Spans older than that window are not found, and a trace that straddles its
 * edge comes back with the spans inside it only. Each call reads the files again: no index to keep in step.
 * The log search scans the newest SEARCH_BYTES of log lines the same way (../log-search.ts); older records
 * are not found, and paging reaches back to that edge only.
 */
export const SEARCH_BYTES = 64 * 1024 * 1024;

export function filesystemSearch(files: () => string[], logFiles: () => string[], maxBytes = SEARCH_BYTES): TraceSearch {
  const load = async (): Promise<SpanRecord[]> => dedupe(await tailRecords<SpanRecord>(files(), maxBytes), spanKey);
  const loadLogs = async (): Promise<LogRecord[]> => dedupe(await tailRecords<LogRecord>(logFiles(), maxBytes), (r) => r.record_id);
  return {
    async services() {
      const names = new Set<string>();
      for (const s of await load()) {
        const name = serviceOf(s);
        if (name !== undefined) names.add(name);
      }
      return [...names].sort();
    },
    operations: async (service, kind) => operationsOf(await load(), service, kind),
    findTraces: async (filter) => searchSpans(await load(), filter),
    findLogs: async (filter) => searchLogs(await loadLogs(), filter),
  };
}
