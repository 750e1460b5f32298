import type { LogPosition } from '../node/engine/index.js';

/**
 * The logs query's paging cursor: the (time, record id) of the last record of a page, opaque to clients
 * (base64url of a small JSON object). The next page is the records strictly after it in the newest-first
 * order, so a page boundary that falls between records of the same time neither repeats nor skips one.
 */
export function encodeCursor(p: LogPosition): string {
  return Buffer.from(JSON.stringify({ t: p.timeNs, id: p.recordId }), 'utf8').toString('base64url');
}

/** The position a cursor holds; undefined when the text is not a cursor this API wrote. */
export function decodeCursor(text: string): LogPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined; // not JSON: the caller answers 400 naming the parameter
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { t, id } = parsed as { t?: unknown; id?: unknown };
  if (typeof t !== 'string' || !/^\d{1,20}$/.test(t) || typeof id !== 'string' || id === '') return undefined;
  return { timeNs: t, recordId: id };
}
