import type { Batch } from '../../shared/model.js';

/**
 * Where a record was read from when it came from a Kafka partition (`isotel serve --role writer`): topic,
 * partition, the message's offset, and the record's index among the `count` records decoded from that message.
 * A message decodes to the same records in the same order every time it is read, so (topic, partition, offset,
 * index) names one record whichever writer reads it: the JSONL sink keeps a file per partition and writes each
 * position once (backends/filesystem/partition-file.ts), which makes a message read again after a rebalance
 * harmless.
 *
 * It rides on the record under a symbol key (JSON.stringify, Object.keys and the backends' serializers never see
 * it) and, through the write-ahead log, in the frame's `k` array (frames.ts), so a dispatcher in another thread
 * reading the log from disk gets it back.
 */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: number;
  index: number;
  count: number;
}

const SOURCE = Symbol.for('isotel.kafka.source');
type Tagged = { [SOURCE]?: SourcePosition };
/** As the frame stores it: [topic, partition, offset, index, count], or 0 for a record read from no partition. */
export type SourceTuple = [string, number, number, number, number] | 0;

export function sourceOf(record: object): SourcePosition | undefined {
  return (record as Tagged)[SOURCE];
}

export function setSource(record: object, s: SourcePosition): void {
  (record as Tagged)[SOURCE] = s;
}

/** Tags the records of one decoded message (logs, then spans, then points) with their positions in it. */
export function tagMessage(batch: Batch, topic: string, partition: number, offset: number): void {
  const count = batch.logs.length + batch.spans.length + batch.metrics.length;
  let index = 0;
  for (const list of [batch.logs, batch.spans, batch.metrics] as object[][]) {
    for (const r of list) setSource(r, { topic, partition, offset, index: index++, count });
  }
}

/**
 * The frame's `k`: one entry per record (in the frame's order), or undefined when no record has a source (every
 * path but the Kafka writer: one property read per record, against ~1.6 µs of JSON per record for the frame).
 */
export function sourceTuples(records: readonly object[]): SourceTuple[] | undefined {
  let out: SourceTuple[] | undefined;
  for (let i = 0; i < records.length; i++) {
    const s = sourceOf(records[i]);
    if (!s) continue;
    out ??= new Array<SourceTuple>(records.length).fill(0);
    out[i] = [s.topic, s.partition, s.offset, s.index, s.count];
  }
  return out;
}

/** Puts the positions of a frame's `k` back on its records (in the frame's order). */
export function applySourceTuples(records: readonly object[], k: unknown): void {
  if (!Array.isArray(k) || k.length !== records.length) return;
  for (let i = 0; i < records.length; i++) {
    const t = k[i] as SourceTuple;
    if (Array.isArray(t) && t.length === 5) setSource(records[i], { topic: t[0], partition: t[1], offset: t[2], index: t[3], count: t[4] });
  }
}
