// CPU cost of the ingest dedupe window per record: IngestDedupe.appendOnce with 8 appends in flight, 500-record requests.
// Run: npx tsx bench/dedupe-cpu.mts
import { IngestDedupe } from '../src/collector-endpoint/dedupe.js';
import type { Batch, LogRecord } from '../src/shared/model.js';
const d = new IngestDedupe({ maxIds: 100_000, windowSeconds: 3600 });
let n = 0;
const mk = (): Batch => ({ logs: Array.from({ length: 500 }, () => ({ record_id: `01JZ3C4V5E${(n++).toString(36).padStart(14, '0')}` }) as LogRecord), spans: [], metrics: [] });
const batches = Array.from({ length: 400 }, mk);
// 8 appends in flight at a time, each settling after the next 8 have been staged
const pendingResolves: Array<() => void> = [];
const append = () => new Promise<{ ok: true; seq: number }>((r) => pendingResolves.push(() => r({ ok: true, seq: 1 })));
const t = performance.now();
for (let i = 0; i < batches.length; i++) {
  void d.appendOnce(batches[i], append);
  if (pendingResolves.length >= 8) { pendingResolves.shift()!(); await new Promise((r) => setImmediate(r)); }
}
const ms = performance.now() - t;
console.log(`${((ms * 1e6) / (batches.length * 500)).toFixed(0)} ns per record`);
