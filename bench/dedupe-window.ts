/**
 * What the ingest's dedupe window costs: heap bytes per remembered id (the Map entry and the id's own string,
 * the id as the ingest holds it: a browser/Node SDK id, a derived id, a span's trace_id + span_id) and the
 * time of an admission that evicts the oldest id.
 *
 *   node --expose-gc --import tsx bench/dedupe-window.ts          (IDS=100000 by default)
 *
 * The ids are made the way the ingest makes them (JSON.parse'd strings, concatenations, hash slices), so the
 * figure includes what the window keeps alive, not what a flat test string would cost.
 */
import { createHash } from 'node:crypto';
import type { LogRecord, SpanRecord } from '../src/shared/model.js';
import { createRecordIdGenerator } from '../src/shared/ids.js';
import { deriveRecordId } from '../src/shared/otlp/derive-id.js';
import { IdWindow } from '../src/collector-endpoint/id-window.js';
import { logKey, spanKey } from '../src/collector-endpoint/dedupe.js';

const N = Number(process.env.IDS ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const log = (id: string) => ({ record_id: id }) as LogRecord;
const gen = createRecordIdGenerator();
const forms: Record<string, (i: number) => string> = {
  'SDK record id (24 chars, from JSON)': (i) => logKey(log(JSON.parse(`"${gen(1_751_798_096_000 + i)}"`) as string)),
  'SDK record id from protobuf (a rope)': (i) => {
    let s = '';
    for (const c of gen(1_751_798_096_000 + i)) s += c;
    return logKey(log(s));
  },
  'derived record id (43 chars)': (i) =>
    logKey(log(deriveRecordId({ timestamp: '2025-07-06T10:34:56.123456Z', body: `m${i}`, attributes: {}, resource: {}, severity_number: 9, severity_text: 'INFO', observed_timestamp: '', record_id: '', scope: { name: '' } }))),
  'span trace_id + span_id': (i) => {
    const h = createHash('sha256').update(String(i)).digest('hex');
    return spanKey({ trace_id: JSON.parse(`"${h.slice(0, 32)}"`) as string, span_id: JSON.parse(`"${h.slice(32, 48)}"`) as string } as SpanRecord);
  },
};

/** One form in a function of its own: the window is garbage when it returns (a loop's block would keep it on the stack). */
function measure(key: (i: number) => string): { bytes: number; ns: number } {
  const before = heap();
  const w = new IdWindow({ maxIds: N, windowSeconds: 3600 });
  for (let i = 0; i < N; i += 100) w.add(Array.from({ length: Math.min(100, N - i) }, (_, j) => key(i + j)));
  const bytes = (heap() - before) / w.size;
  // Steady state: every admission evicts as many ids as it adds.
  const t0 = process.hrtime.bigint();
  for (let i = N; i < 3 * N; i += 100) w.add(Array.from({ length: 100 }, (_, j) => `x${i + j}`));
  return { bytes, ns: Number(process.hrtime.bigint() - t0) / (2 * N) };
}

measure(forms['span trace_id + span_id']); // warm-up: the JIT's own allocations are not an id's
for (const [name, key] of Object.entries(forms)) {
  const { bytes, ns } = measure(key);
  console.log(`${name.padEnd(40)} ${bytes.toFixed(0).padStart(4)} bytes/id  ${((bytes * N) / 1e6).toFixed(1)} MB at ${N}  ${ns.toFixed(0)} ns/add at the bound`);
}
