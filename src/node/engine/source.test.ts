import { describe, it, expect } from 'vitest';
import { encodeFrame, decodePayload, HEADER_BYTES, readHeader } from './frames.js';
import { sourceOf, tagMessage } from './source.js';
import type { Batch, LogRecord } from '../../shared/model.js';

const log = (id: string): LogRecord =>
  ({ timestamp: '2026-12-07T00:00:00.000000Z', observed_timestamp: '2026-12-07T00:00:00.000000Z', severity_number: 9, severity_text: 'INFO', body: 'x', attributes: {}, resource: { 'service.name': 's' }, scope: { name: 'k' }, record_id: id }) as unknown as LogRecord;

function roundTrip(batch: Batch): { batch: Batch; json: string } {
  const f = encodeFrame(1, batch);
  const buf = Buffer.concat(f.parts);
  const payload = buf.subarray(HEADER_BYTES);
  return { batch: decodePayload(payload, readHeader(buf, 0)!)!.batch, json: payload.toString('utf8') };
}

describe('record sources through the write-ahead log frame', () => {
  it('keeps each record of a Kafka message at its (topic, partition, offset, index) and out of its JSON', () => {
    const batch: Batch = { logs: [log('a'), log('b')], spans: [], metrics: [] };
    tagMessage(batch, 'otlp_logs', 2, 41);
    const plain = log('c');
    batch.logs.push(plain);
    const { batch: back, json } = roundTrip(batch);
    expect(back.logs.map((r) => sourceOf(r))).toEqual([
      { topic: 'otlp_logs', partition: 2, offset: 41, index: 0, count: 2 },
      { topic: 'otlp_logs', partition: 2, offset: 41, index: 1, count: 2 },
      undefined,
    ]);
    expect(JSON.stringify(back.logs[0])).not.toContain('otlp_logs');
    expect(Object.keys(back.logs[0])).toEqual(Object.keys(log('a')));
    expect(json).toContain('"k":[');
  });

  it('writes no source array for records read from no partition (every other path)', () => {
    const { json } = roundTrip({ logs: [log('a')], spans: [], metrics: [] });
    expect(json).not.toContain('"k":');
  });
});
