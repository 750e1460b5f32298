import type { Cell } from './rows.js';

/**
 * PostgreSQL COPY text format: one line per row, cells separated by tabs, NULL as `\N`, and backslash,
 * newline, carriage return and tab escaped with a backslash. (U+0000 never reaches here: clean.ts replaced it,
 * and COPY could not carry it anyway.) Rows are yielded in ~64 KiB chunks: large enough that the stream's
 * per-chunk cost vanishes, small enough not to build one string of the whole batch.
 */
const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function copyCell(cell: Cell): string {
  if (cell === null) return '\\N';
  if (typeof cell === 'number') return String(cell);
  return SPECIAL.test(cell) ? cell.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : cell;
}

export function copyLine(row: readonly Cell[]): string {
  let line = copyCell(row[0]);
  for (let i = 1; i < row.length; i++) line += '\t' + copyCell(row[i]);
  return line + '\n';
}

export function* copyChunks(rows: readonly (readonly Cell[])[], chunkChars = 64 * 1024): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += copyLine(row);
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Rows as COPY text, encoded once (see writers.ts CopyText). */
export function copyText(rows: readonly (readonly Cell[])[]): { count: number; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  for (const c of copyChunks(rows)) chunks.push(Buffer.from(c, 'utf8'));
  return { count: rows.length, chunks };
}
