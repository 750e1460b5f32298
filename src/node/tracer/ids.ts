import { randomFillSync } from 'node:crypto';

/**
 * Trace and span ids from a pool of CSPRNG bytes, refilled 8 KiB at a time: two ids cost one hex slice each
 * (sdk-trace's RandomIdGenerator, a Math.random() call per 4 bytes, was 9% of a span's start+end, 2-core VM).
 * Every byte is random, so isotel's new traces carry Trace Context Level 2's random-trace-id flag.
 */
const POOL = Buffer.allocUnsafe(8192);
let offset = POOL.length;

function take(bytes: number): string {
  if (offset + bytes > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const id = POOL.toString('hex', offset, offset + bytes);
  offset += bytes;
  return id;
}

const ZERO_SPAN = '0'.repeat(16);
const ZERO_TRACE = '0'.repeat(32);

/** 8 random bytes in lower-case hex, never all zero (the invalid id). */
export function newSpanId(): string {
  let id = take(8);
  while (id === ZERO_SPAN) id = take(8);
  return id;
}

/** 16 random bytes in lower-case hex, never all zero. */
export function newTraceId(): string {
  let id = take(16);
  while (id === ZERO_TRACE) id = take(16);
  return id;
}
