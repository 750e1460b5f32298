/** Shared by the trace-context tests: valid ids, a valid traceparent, and the fuzzers' character pool. Tests only. */
export const TRACE_ID = '12345678901234567890123456789012';
export const SPAN_ID = '1234567890123456';
export const VALID_TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;

/** Hex of both cases, separators, whitespace (OWS and not), non-ASCII, NUL and a surrogate pair. */
export const FUZZ_POOL = '0123456789abcdefABCDEF-- ,,==@@\t\n*/_.zZ\u00e9\u0000\ud83d\ude00';

/** One random one-character edit of `base`: a replacement, an insertion or a deletion. */
export function mutate(base: string, rnd: () => number): string {
  const at = Math.floor(rnd() * base.length);
  const ch = FUZZ_POOL[Math.floor(rnd() * FUZZ_POOL.length)];
  const op = Math.floor(rnd() * 3); // replace, insert, delete
  return base.slice(0, at) + (op === 2 ? '' : ch) + base.slice(op === 1 ? at : at + 1);
}
