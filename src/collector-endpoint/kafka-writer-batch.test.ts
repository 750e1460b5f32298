import { describe, it, expect } from 'vitest';
import { drainBuffered, handleBatch, type Msg, type WriterContext } from './kafka-writer-batch.js';
import { createRedactor } from '../shared/redact.js';
import { createDiag } from '../shared/diag.js';
import { encodeLogsExact } from '../shared/otlp/encode-exact.js';
import { encodeLogsProtobuf } from '../shared/otlp/encode-protobuf.js';
import { logRecord } from '../shared/otlp/fixtures/samples.js';
import type { Batch } from '../shared/model.js';

const events: string[] = [];
const msg = (partition: number, offset: number, value: Uint8Array): Msg => ({
  topic: 'L', partition, offset: BigInt(offset), key: Buffer.from('k'), value: Buffer.from(value),
});
const good = (partition: number, offset: number) => msg(partition, offset, encodeLogsProtobuf(encodeLogsExact([logRecord({ record_id: `r-${partition}-${offset}` })])));

function context(append: (b: Batch) => Promise<{ ok: true } | { ok: false; reason: string; message: string }>, closing = () => false): WriterContext {
  return {
    o: { kafka: { topics: { dead_letter: 'D' } }, append, limits: {}, enrich: { skewThresholdMs: 1000, redactor: createRedactor({}) }, diag: createDiag(() => {}) },
    health: { consumed: 0, appended_records: 0, dead_lettered: 0 },
    deadLetters: { send: async (o) => void events.push(`dead ${[...o.messages[0].headers].find(([k]) => k.toString() === 'isotel.offset')?.[1]}`) },
    signals: new Map([['L', 'logs']]),
    commit: async (last) => void events.push(`commit ${last.map((m) => `${m.partition}@${m.offset}`).join(' ')}`),
    isClosing: closing,
  };
}

describe('kafka writer batches', () => {
  it('takes what the stream buffered behind the first message', () => {
    const buffered = [good(0, 1), good(0, 2)];
    expect(drainBuffered(good(0, 0), { read: () => buffered.shift() ?? null }).map((m) => m.offset)).toEqual([0n, 1n, 2n]);
  });

  it('appends the records of a batch at once, dead-letters the bad message, then commits the highest offset per partition', async () => {
    events.length = 0;
    const c = context(async (b) => (events.push(`append ${b.logs.map((r) => r.record_id).join(',')}`), { ok: true }));
    await handleBatch(c, [good(0, 5), good(1, 7), msg(0, 6, Buffer.from('not protobuf')), good(0, 7)]);
    expect(events.slice(0, 2)).toEqual(['dead 6', 'append r-0-5,r-1-7,r-0-7']);
    expect(events.slice(2)).toEqual(['commit 0@7 1@7']);
    expect(c.health).toMatchObject({ consumed: 4, appended_records: 3, dead_lettered: 1 });
  });

  it('commits nothing when the writer closes before the append is durable', async () => {
    events.length = 0;
    await handleBatch(context(async () => ({ ok: false, reason: 'closed', message: 'closing' }), () => false), [good(0, 1)]);
    expect(events).toEqual([]);
  });

  it('splits a batch the log finds too large for a segment', async () => {
    events.length = 0;
    const c = context(async (b) => (b.logs.length > 1 ? { ok: false, reason: 'too_large', message: 'too large' } : (events.push(`append ${b.logs[0].record_id}`), { ok: true })));
    await handleBatch(c, [good(0, 1), good(0, 2), good(0, 3)]);
    expect(events).toEqual(['append r-0-1', 'append r-0-2', 'append r-0-3', 'commit 0@3']);
  });
});
