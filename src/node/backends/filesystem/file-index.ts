import { SPAN_KINDS, STATUS_CODES, type SpanKindName, type StatusCodeName } from '../../../shared/model.js';
import { isoToMicros } from '../trace-search.js';

/**
 * The index of one JSONL file (logs or spans), held in memory and kept on disk as a cache beside it
 * (index-files.ts): which lines belong to which trace, and for a span line what the trace search filters on
 * before it reads the line (service, name, kind, status, start, duration). Bytes `[0, end)` of the file are
 * indexed; the file only grows (a rotation renames it, it keeps its inode), so bringing the index up to date
 * is reading `[end, size)`: `addLines`.
 *
 * Columns of plain number arrays rather than an object per line: ~80 bytes a span, ~30 a log in memory.
 * Log lines without a trace id are not indexed (only the search by trace id reads this index).
 *
 * On disk, each extension is one JSON line (a block): `{"v":1,"from","to","fp","fpLen","strings":[...],"e":[...]}`,
 * `e` flat (span: trace, offset, length, start µs, duration ms, service, name, kind, status, each string as an
 * index into the block's own `strings`; log: trace, offset, length). Blocks are appended, so a crash leaves at
 * worst a torn last line: it does not parse, and the bytes it covered are indexed again from the file.
 */
export type IndexKind = 'spans' | 'logs';

const SPAN_FIELDS = 9;
const LOG_FIELDS = 3;

interface Block {
  v: 1;
  from: number;
  to: number;
  fp: string;
  fpLen: number;
  strings: string[];
  e: Array<string | number | null>;
}

/** NaN (a malformed time or duration) is written as null: JSON has no NaN. */
const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);
const numberOrNaN = (x: unknown): number => (typeof x === 'number' ? x : Number.NaN);

export class FileIndex {
  /** Bytes of the file indexed: lines wholly before this offset. */
  end = 0;
  // One entry per indexed line, by column.
  /** The entry's trace, as a number in `traceIds` (one string a trace, not one a line: ~50 bytes a line less). */
  readonly traceNo: number[] = [];
  readonly traceIds: string[] = [];
  readonly offset: number[] = [];
  readonly length: number[] = [];
  // Spans only.
  readonly startUs: number[] = [];
  readonly durationMs: number[] = [];
  readonly service: number[] = []; // string id, -1 when the resource has no string service.name
  readonly name: number[] = [];
  readonly spanKind: number[] = []; // index in SPAN_KINDS
  readonly status: number[] = []; // index in STATUS_CODES
  /** Entry numbers of each trace, in file order. */
  readonly byTrace = new Map<string, number[]>();
  readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  /** Entries not written to disk yet start here. */
  private savedEntries = 0;
  private savedEnd = 0;

  constructor(
    readonly kind: IndexKind,
    /** sha1 (hex) of the file's first `fpLen` bytes, to tell this file from another that took its inode. */
    readonly fp: string,
    readonly fpLen: number,
  ) {}

  get size(): number {
    return this.traceNo.length;
  }

  /** Entry `i`'s trace id. */
  trace(i: number): string {
    return this.traceIds[this.traceNo[i]];
  }

  stringId(s: string): number | undefined {
    return this.stringIds.get(s);
  }

  kindName(i: number): SpanKindName {
    return SPAN_KINDS[this.spanKind[i]] ?? 'UNSPECIFIED';
  }

  statusName(i: number): StatusCodeName {
    return STATUS_CODES[this.status[i]] ?? 'UNSET';
  }

  /**
   * Indexes the whole lines of `buf`, which holds the file's bytes from `at` (= end). Returns how many bytes
   * were taken: up to the last '\n' (a line still being written is indexed next time).
   */
  addLines(buf: Buffer, at: number): number {
    let from = 0;
    for (;;) {
      const nl = buf.indexOf(10, from);
      if (nl < 0) break;
      if (nl > from) this.addLine(buf.toString('utf8', from, nl), at + from, nl - from);
      from = nl + 1;
    }
    this.end = at + from;
    return from;
  }

  private addLine(line: string, offset: number, length: number): void {
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // a torn line (a crash's piece): not a record
    }
    if (typeof r !== 'object' || r === null || typeof r.trace_id !== 'string' || r.trace_id === '') return;
    if (this.kind === 'logs') return this.push(r.trace_id, offset, length);
    if (typeof r.start_time !== 'string' || typeof r.name !== 'string') return;
    const resource = (r.resource ?? {}) as Record<string, unknown>;
    const svc = resource['service.name'];
    const status = (r.status ?? {}) as { code?: unknown };
    this.push(r.trace_id, offset, length, [
      isoToMicros(r.start_time),
      typeof r.duration_ms === 'number' ? r.duration_ms : Number.NaN,
      typeof svc === 'string' ? this.intern(svc) : -1,
      this.intern(r.name),
      Math.max(0, SPAN_KINDS.indexOf(r.kind as SpanKindName)),
      Math.max(0, STATUS_CODES.indexOf(status.code as StatusCodeName)),
    ]);
  }

  private push(trace: string, offset: number, length: number, span?: number[]): void {
    const i = this.traceNo.length;
    this.offset.push(offset);
    this.length.push(length);
    if (span) {
      this.startUs.push(span[0]);
      this.durationMs.push(span[1]);
      this.service.push(span[2]);
      this.name.push(span[3]);
      this.spanKind.push(span[4]);
      this.status.push(span[5]);
    }
    const list = this.byTrace.get(trace);
    if (list) {
      list.push(i);
      this.traceNo.push(this.traceNo[list[0]]);
    } else {
      this.byTrace.set(trace, [i]);
      this.traceNo.push(this.traceIds.length);
      this.traceIds.push(trace);
    }
  }

  private intern(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  /** The entries added since the last call, as one block line for the index file; undefined when none. */
  takeBlock(): string | undefined {
    if (this.end === this.savedEnd) return undefined;
    const local = new Map<number, number>();
    const strings: string[] = [];
    const str = (id: number): number => {
      if (id < 0) return -1;
      let l = local.get(id);
      if (l === undefined) {
        l = strings.length;
        strings.push(this.strings[id]);
        local.set(id, l);
      }
      return l;
    };
    const e: Array<string | number | null> = [];
    for (let i = this.savedEntries; i < this.size; i++) {
      e.push(this.trace(i), this.offset[i], this.length[i]);
      if (this.kind === 'spans') e.push(finite(this.startUs[i]), finite(this.durationMs[i]), str(this.service[i]), str(this.name[i]), this.spanKind[i], this.status[i]);
    }
    const block: Block = { v: 1, from: this.savedEnd, to: this.end, fp: this.fp, fpLen: this.fpLen, strings, e };
    this.savedEntries = this.size;
    this.savedEnd = this.end;
    return `${JSON.stringify(block)}\n`;
  }

  /** Everything as one block (a rewrite of the index file). */
  wholeBlock(): string | undefined {
    this.savedEntries = 0;
    this.savedEnd = 0;
    return this.takeBlock();
  }

  /**
   * Takes the blocks of an index file that belong to this file (same fingerprint) and continue what is
   * indexed; the rest is left to be indexed from the file again. Returns whether the whole text was taken
   * (false: a torn, corrupt or foreign block, so the index file should be rewritten).
   */
  load(text: string): boolean {
    let clean = true;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const b = parseBlock(line, this.kind);
      if (!b || b.fp !== this.fp || b.fpLen !== this.fpLen || b.from > this.end) {
        clean = false;
        break;
      }
      if (b.to <= this.end) {
        clean = false; // written twice (two readers at once): harmless, but not the compact form
        continue;
      }
      this.takeEntries(b);
    }
    this.savedEntries = this.size;
    this.savedEnd = this.end;
    return clean;
  }

  private takeEntries(b: Block): void {
    const n = this.kind === 'spans' ? SPAN_FIELDS : LOG_FIELDS;
    const str = (l: number): number => (l < 0 ? -1 : this.intern(b.strings[l]));
    for (let k = 0; k < b.e.length; k += n) {
      const offset = b.e[k + 1] as number;
      if (offset < this.end) continue; // an overlapping block: keep each line once
      const span = n === SPAN_FIELDS
        ? [numberOrNaN(b.e[k + 3]), numberOrNaN(b.e[k + 4]), str(b.e[k + 5] as number), str(b.e[k + 6] as number), b.e[k + 7] as number, b.e[k + 8] as number]
        : undefined;
      this.push(b.e[k] as string, offset, b.e[k + 2] as number, span);
    }
    this.end = b.to;
  }
}

const numberOrNull = (x: unknown): boolean => typeof x === 'number' || x === null;
const isInt = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/** One block line, checked field by field (the file is a cache, and may hold anything): undefined if bad. */
function parseBlock(line: string, kind: IndexKind): Block | undefined {
  let b: Partial<Block>;
  try {
    b = JSON.parse(line) as Partial<Block>;
  } catch {
    return undefined;
  }
  if (typeof b !== 'object' || b === null || b.v !== 1 || !isInt(b.from) || !isInt(b.to) || b.to < b.from) return undefined;
  if (typeof b.fp !== 'string' || !isInt(b.fpLen) || !Array.isArray(b.strings) || !Array.isArray(b.e)) return undefined;
  if (!b.strings.every((s) => typeof s === 'string')) return undefined;
  const n = kind === 'spans' ? SPAN_FIELDS : LOG_FIELDS;
  if (b.e.length % n !== 0) return undefined;
  const strings = b.strings.length;
  for (let k = 0; k < b.e.length; k += n) {
    if (typeof b.e[k] !== 'string' || !isInt(b.e[k + 1]) || !isInt(b.e[k + 2])) return undefined;
    if ((b.e[k + 1] as number) + (b.e[k + 2] as number) > b.to || (b.e[k + 1] as number) < b.from) return undefined;
    if (n === SPAN_FIELDS) {
      const [svc, name, kd, st] = [b.e[k + 5], b.e[k + 6], b.e[k + 7], b.e[k + 8]] as number[];
      if (!numberOrNull(b.e[k + 3]) || !numberOrNull(b.e[k + 4])) return undefined;
      if (!Number.isInteger(svc) || svc < -1 || svc >= strings || !isInt(name) || name >= strings) return undefined;
      if (!isInt(kd) || kd >= SPAN_KINDS.length || !isInt(st) || st >= STATUS_CODES.length) return undefined;
    }
  }
  return b as Block;
}
