import type { FileIndex } from './file-index.js';
import { readEntries, type IndexedFile, type JsonlIndex } from './index-files.js';

/**
 * Records read back through the JSONL index (index-files.ts): the lines of given entries, parsed, each checked
 * against the trace id the index holds for it. A line that does not match means the index no longer describes
 * its file (it was changed in place, which isotel never does): that file's index is dropped, rebuilt on the
 * next read, and the line is left out.
 */
export async function readRecords<T extends { trace_id?: string }>(
  owner: JsonlIndex,
  f: IndexedFile,
  ids: readonly number[],
  /** A test on the raw line: a line it refuses is left out unparsed (a search's cheap first check). */
  prefilter?: (line: string) => boolean,
): Promise<Array<T | undefined>> {
  const lines = await readEntries(f, ids);
  return lines.map((line, k) => {
    if (prefilter && !prefilter(line)) return undefined;
    const rec = parse<T>(line);
    if (rec?.trace_id === f.index.trace(ids[k])) return rec;
    owner.invalidate(f.index);
    return undefined;
  });
}

/** Every record of the given traces, file by file (oldest first), in file order within a file. */
export async function recordsOfTraces<T extends { trace_id?: string }>(owner: JsonlIndex, files: IndexedFile[], traceIds: Iterable<string>): Promise<T[]> {
  const wanted = [...traceIds];
  const perFile = await Promise.all(
    files.map(async (f) => {
      const ids = entriesOf(f.index, wanted);
      return ids.length === 0 ? [] : readRecords<T>(owner, f, ids);
    }),
  );
  return perFile.flat().filter((r): r is T => r !== undefined);
}

/** Every record of one trace in the indexed files. */
export function recordsOfTrace<T extends { trace_id?: string }>(owner: JsonlIndex, traceId: string): Promise<T[]> {
  return owner.use((files) => recordsOfTraces<T>(owner, files, [traceId]));
}

function entriesOf(index: FileIndex, traceIds: readonly string[]): number[] {
  const ids: number[] = [];
  for (const t of traceIds) {
    const list = index.byTrace.get(t);
    if (list) for (const i of list) ids.push(i);
  }
  return traceIds.length > 1 ? ids.sort((a, b) => a - b) : ids;
}

function parse<T>(line: string): T | undefined {
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined;
  }
}
