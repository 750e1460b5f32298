import { describe, expect, it } from 'vitest';
import type { Batch, LogRecord } from '../shared/model.js';
import { MIN_HANDOFF_INTERVAL_MS, RecordBuffer, SYNC_BATCHES } from './record-buffer.js';

const rec = (i: number) => ({ record_id: String(i) }) as unknown as LogRecord;
const turn = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(maxBatch = 1000) {
  const batches: Batch[] = [];
  let now = 1000;
  const buffer = new RecordBuffer({ enqueue: (b) => batches.push(b) }, maxBatch, () => now);
  return { batches, buffer, advance: (ms: number) => (now += ms) };
}

describe('RecordBuffer hand-offs', () => {
  it('hands the first records off on the next event-loop turn', async () => {
    const { batches, buffer } = setup();
    buffer.pushLog(rec(1));
    expect(batches).toHaveLength(0);
    await turn();
    expect(batches.map((b) => b.logs.length)).toEqual([1]);
  });

  it('spaces later hand-offs MIN_HANDOFF_INTERVAL_MS apart, carrying what several turns ended', async () => {
    const { batches, buffer } = setup();
    buffer.pushLog(rec(1));
    await turn();
    buffer.pushLog(rec(2));
    await turn();
    buffer.pushLog(rec(3));
    await turn();
    expect(batches).toHaveLength(1);
    await sleep(MIN_HANDOFF_INTERVAL_MS + 5);
    expect(batches.map((b) => b.logs.map((r) => r.record_id))).toEqual([['1'], ['2', '3']]);
  });

  it('hands off at once when the interval has passed, when a batch fills, and on drain()', async () => {
    const { batches, buffer, advance } = setup(3);
    buffer.pushLog(rec(1));
    await turn();
    advance(MIN_HANDOFF_INTERVAL_MS);
    buffer.pushLog(rec(2));
    await turn();
    expect(batches).toHaveLength(2);
    for (const i of [3, 4, 5]) buffer.pushLog(rec(i));
    expect(batches).toHaveLength(3);
    buffer.pushLog(rec(6));
    buffer.drain();
    expect(batches.map((b) => b.logs.length)).toEqual([1, 1, 3, 1]);
  });
});

describe('RecordBuffer spans', () => {
  const source = (i: number) => ({ toSpanRecord: () => ({ span_id: String(i) }) as never });

  it('builds span records at hand-off, a full batch on the next turn, skipping spans that cannot be built', async () => {
    const { batches, buffer } = setup(2);
    let built = 0;
    buffer.pushSpan({ toSpanRecord: () => (built++, undefined) });
    buffer.pushSpan(source(1));
    expect(batches).toHaveLength(0);
    expect(built).toBe(0);
    await turn();
    expect(built).toBe(1);
    expect(batches.map((b) => b.spans.map((s) => s.span_id))).toEqual([['1']]);
  });

  it('a synchronous burst hands off inside end() at SYNC_BATCHES batches, in batches of maxBatch', () => {
    const { batches, buffer } = setup(2);
    for (let i = 0; i < 2 * SYNC_BATCHES; i++) buffer.pushSpan(source(i));
    expect(batches.map((b) => b.spans.length)).toEqual(Array(SYNC_BATCHES).fill(2));
  });
});
