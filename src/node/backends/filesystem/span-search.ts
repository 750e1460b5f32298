import { SPAN_KINDS, type LogRecord, type MetricPoint, type SpanKindName, type SpanRecord } from '../../../shared/model.js';
import { searchLogs, type LogFilter } from '../log-search.js';
import { selectMetricPoints, type MetricFilter } from '../metric-search.js';
import { summarizeTraces, type TraceSummary } from '../types.js';
import { derivedTag, groupTraces, sortOperations, tagMatches, type OperationName, type TraceFilter, type TraceSearch } from '../trace-search.js';
import { dedupe, spanKey, tailRecords } from './read-records.js';
import type { IndexedFile, JsonlIndex } from './index-files.js';
import { readRecords, recordsOfTrace, recordsOfTraces } from './indexed-reads.js';

/**
 * The Jaeger query API's search (semantics in ../trace-search.ts) and the logs query (../log-search.ts) over
 * the JSONL files, through their index (index-files.ts), with no bound: every retained file is searched.
 *
 * - Trace search: the span index filters on service, operation, start and duration in memory; the spans that
 *   pass are taken newest first and, when the filter has tags, read from the files one batch at a time until
 *   `limit` traces have a span matching every tag (a tag the index answers, `error=true` or `span.kind`, needs
 *   no read). Then those traces' spans are read, wherever they are (a trace may span a rotation).
 * - Services and operations come from the index alone.
 * - Logs by trace id read the trace's lines through the log index, then apply the other filters.
 * - Any other log search (service, severity, time, attributes, full text) stays a bounded scan of the newest
 *   SEARCH_BYTES of log lines (the issue allows "a JSONL scan with a bound"): older records are not found,
 *   and paging reaches back to that edge only.
 * - The metrics query (../metric-search.ts) is a bounded scan too: the newest SEARCH_BYTES of metric lines.
 */
export const SEARCH_BYTES = 64 * 1024 * 1024;

/** Candidate spans read at once when tags must be checked in the lines. */
const TAG_BATCH = 256;

export function filesystemSearch(
  spans: JsonlIndex,
  logs: JsonlIndex,
  logFiles: () => string[],
  maxBytes = SEARCH_BYTES,
  metricFiles: () => string[] = () => [],
): TraceSearch {
  return {
    services: () => spans.use(async (files) => services(files)),
    operations: (service, kind) => spans.use(async (files) => operations(files, service, kind)),
    findTraces: (filter) => spans.use((files) => findTraces(spans, files, filter)),
    async findLogs(filter: LogFilter) {
      const records =
        filter.traceId !== undefined
          ? await recordsOfTrace<LogRecord>(logs, filter.traceId)
          : await tailRecords<LogRecord>(logFiles(), maxBytes);
      return searchLogs(dedupe(records, (r) => r.record_id), filter);
    },
    async findMetrics(filter: MetricFilter) {
      const points = await tailRecords<MetricPoint>(metricFiles(), maxBytes);
      return selectMetricPoints(dedupe(points, (p) => p.point_id), filter);
    },
  };
}

function services(files: IndexedFile[]): string[] {
  const names = new Set<string>();
  for (const { index } of files) {
    const ids = new Set(index.service);
    for (const id of ids) if (id >= 0) names.add(index.strings[id]);
  }
  return [...names].sort();
}

function operations(files: IndexedFile[], service: string, kind?: SpanKindName): OperationName[] {
  const seen = new Map<string, OperationName>();
  for (const { index } of files) {
    const svc = index.stringId(service);
    if (svc === undefined) continue;
    const pairs = new Set<number>(); // name id × 8 + kind
    for (let i = 0; i < index.size; i++) if (index.service[i] === svc) pairs.add(index.name[i] * 8 + index.spanKind[i]);
    for (const p of pairs) {
      const op = { name: index.strings[Math.floor(p / 8)], kind: SPAN_KINDS[p % 8] ?? 'UNSPECIFIED' };
      if (kind === undefined || op.kind === kind) seen.set(`${op.name}\u0000${op.kind}`, { name: op.name, kind: op.kind });
    }
  }
  return sortOperations([...seen.values()]);
}

interface Candidate {
  file: IndexedFile;
  i: number;
  start: number;
  trace: string;
}

/** Spans whose indexed fields pass the filter (service, operation, start, duration: as spanMatches reads them). */
function candidates(files: IndexedFile[], f: TraceFilter): Candidate[] {
  const out: Candidate[] = [];
  for (const file of files) {
    const x = file.index;
    const svc = x.stringId(f.service);
    const op = f.operation === undefined ? -1 : x.stringId(f.operation);
    if (svc === undefined || op === undefined) continue;
    for (let i = 0; i < x.size; i++) {
      if (x.service[i] !== svc || (op >= 0 && x.name[i] !== op)) continue;
      const start = x.startUs[i];
      // A malformed start never ranks a trace (searchSpans), so it is never a candidate.
      if (Number.isNaN(start) || start < f.startMinUs || start > f.startMaxUs) continue;
      const d = x.durationMs[i];
      if ((f.durationMinMs !== undefined && d < f.durationMinMs) || (f.durationMaxMs !== undefined && d > f.durationMaxMs)) continue;
      out.push({ file, i, start, trace: x.trace(i) });
    }
  }
  // The order of the result: a trace ranks by its latest matching start, then its id.
  return out.sort((a, b) => b.start - a.start || (a.trace < b.trace ? -1 : a.trace > b.trace ? 1 : 0));
}

async function findTraces(owner: JsonlIndex, files: IndexedFile[], f: TraceFilter): Promise<SpanRecord[][]> {
  const cands = candidates(files, f);
  const tags = Object.entries(f.tags);
  const chosen = new Set<string>();
  // Newest first: the first matching span met of a trace is its latest, so the first `limit` traces met are the answer.
  for (let k = 0; k < cands.length && chosen.size < f.limit; ) {
    const batch: Candidate[] = [];
    while (k < cands.length && batch.length < (tags.length === 0 ? 1 : TAG_BATCH)) {
      const c = cands[k++];
      if (!chosen.has(c.trace)) batch.push(c);
    }
    const ok = tags.length === 0 ? batch.map(() => true) : await matchTags(owner, batch, tags);
    for (let j = 0; j < batch.length && chosen.size < f.limit; j++) if (ok[j]) chosen.add(batch[j].trace);
  }
  const ids = [...chosen];
  const spans = dedupe(await recordsOfTraces<SpanRecord>(owner, files, ids), spanKey);
  return groupTraces(ids, spans);
}

/** Printable ASCII but `"` and `\`: written in a JSON line exactly as it reads (JSON.stringify, json-values.ts). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * False when the span's line cannot match the tags, without parsing it: a tag matched by an attribute or a
 * resource attribute has its key (`"key":`) and its value's text (a number and a boolean are written as they
 * read, a string without escapes) in the line. Tags with other characters, and derived tags, are not
 * pre-checked. JSON.parse is ~4 µs of a span's ~6 µs check; this test ~0.3 µs.
 */
function mayMatch(line: string, tags: Array<[string, string]>): boolean {
  return tags.every(([k, v]) => DERIVED.has(k) || !PLAIN.test(k) || !PLAIN.test(v) || (line.includes(`"${k}":`) && line.includes(v)));
}

/** Keys of the tags derivedTag reads from kind and status (written otherwise in the line): never pre-checked. */
const DERIVED = new Set(['error', 'span.kind', 'otel.status_code', 'otel.status_description']);

/** Whether each candidate matches every tag: from the index when it can tell, otherwise from the span's line. */
async function matchTags(owner: JsonlIndex, batch: Candidate[], tags: Array<[string, string]>): Promise<boolean[]> {
  const ok: boolean[] = [];
  for (const c of batch) {
    const x = c.file.index;
    const known = { kind: x.kindName(c.i), status: { code: x.statusName(c.i) } } as SpanRecord;
    if (tags.every(([k, v]) => k !== 'otel.status_description' && derivedTag(known, k) === v)) {
      ok.push(true);
      continue;
    }
    const [span] = await readRecords<SpanRecord>(owner, c.file, [c.i], (line) => mayMatch(line, tags));
    ok.push(span !== undefined && tags.every(([k, v]) => tagMatches(span, k, v)));
  }
  return ok;
}

/** The `limit` traces that started last (by their earliest indexed span), summarized from all their spans. */
export function recentTraces(owner: JsonlIndex, limit: number): Promise<TraceSummary[]> {
  return owner.use(async (files) => {
    const first = new Map<string, number>();
    for (const { index: x } of files) {
      for (let i = 0; i < x.size; i++) {
        const s = x.startUs[i];
        const t = x.trace(i);
        if (!(s >= (first.get(t) ?? Infinity))) first.set(t, s);
      }
    }
    const ids = [...first.entries()].sort(([, a], [, b]) => b - a).slice(0, limit).map(([id]) => id);
    return summarizeTraces(dedupe(await recordsOfTraces<SpanRecord>(owner, files, ids), spanKey), limit);
  });
}
