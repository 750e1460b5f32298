/**
 * Identifiers. Trace ids are 16 random bytes and span ids 8, as lowercase hex (W3C Trace Context).
 * Record ids are unique and sort by creation time: 10 characters of milliseconds in Crockford base32
 * (as in ULID), then a per-process random part and a counter, so two processes never collide and one
 * process's ids are strictly increasing.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint8Array): Uint8Array } }).crypto;
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(out);
  else for (let i = 0; i < n; i++) out[i] = Math.floor(Math.random() * 256);
  return out;
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] | 256).toString(16).slice(1);
  return s;
}

/** 32 lowercase hex characters, never all zeros. */
export function newTraceId(): string {
  for (;;) {
    const id = hex(randomBytes(16));
    if (id !== '00000000000000000000000000000000') return id;
  }
}

/** 16 lowercase hex characters, never all zeros. */
export function newSpanId(): string {
  for (;;) {
    const id = hex(randomBytes(8));
    if (id !== '0000000000000000') return id;
  }
}

function base32(value: number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    s = CROCKFORD[value % 32] + s;
    value = Math.floor(value / 32);
  }
  return s;
}

// Two base32 digits per lookup: the counter is six digits, three lookups and two concatenations. Made at the
// first id, not when the module loads: 2.4-5 ms of the browser script's evaluation with a 4x CPU slowdown
// (`node bench/browser/top-level.mjs`).
const PAIRS: string[] = [];

function counter6(n: number): string {
  if (!PAIRS[0]) for (let i = 0; i < 1024; i++) PAIRS[i] = CROCKFORD[i >> 5] + CROCKFORD[i & 31];
  return PAIRS[(n >>> 20) & 1023] + PAIRS[(n >>> 10) & 1023] + PAIRS[n & 1023];
}

export interface RecordIdGenerator {
  (nowMs?: number): string;
}

/**
 * A generator of record ids: `01JZ3C4V5E` (time) + 8 random characters (fixed per generator) + 6-character
 * counter. About 40 ns an id: the time prefix is cached per millisecond and the rest is concatenation.
 */
export function createRecordIdGenerator(): RecordIdGenerator {
  // Eight random digits (40 bits), one from each byte's low five bits.
  const rnd = randomBytes(8);
  let node = '';
  for (let i = 0; i < 8; i++) node += CROCKFORD[rnd[i] & 31];
  let lastMs = -1;
  let prefix = '';
  let counter = 0;
  return (nowMs = Date.now()) => {
    const ms = Math.floor(nowMs);
    if (ms > lastMs) {
      lastMs = ms;
      prefix = base32(ms, 10) + node;
      counter = 0;
    } else if (counter >= 0x3fffffff) {
      // More than 2^30 ids in one millisecond: borrow the next millisecond to stay increasing.
      lastMs += 1;
      prefix = base32(lastMs, 10) + node;
      counter = 0;
    }
    return prefix + counter6(counter++);
  };
}

/** The process-wide generator used when none is injected. */
export const newRecordId: RecordIdGenerator = /* @__PURE__ */ createRecordIdGenerator();
