import { describe, it, expect } from 'vitest';
import { logMessages, MAX_VALUE_BYTES } from './messages.js';
import type { LogRecord } from '../../../shared/model.js';
import { decodeLogs, decodeLogsProtobuf } from '../../../shared/otlp/index.js';

const log = (n: number, body: string): LogRecord => ({
  record_id: `id-${n}`,
  timestamp: '2026-12-06T10:00:00.000000Z',
  observed_timestamp: '2026-12-06T10:00:00.000000Z',
  severity_number: 9,
  severity_text: 'INFO',
  body,
  attributes: {},
  resource: { 'service.name': 'svc' },
  scope: { name: 'isotel' },
  trace_id: 'a'.repeat(32),
  span_id: 'b'.repeat(16),
});

describe('kafka messages', () => {
  it('splits a partition\'s records into messages of at most MAX_VALUE_BYTES, in order, all in that partition', () => {
    const logs = Array.from({ length: 40 }, (_, i) => log(i, 'x'.repeat(20_000)));
    const messages = logMessages('L', logs, 'trace_id', () => 4);
    expect(messages.length).toBeGreaterThan(2);
    for (const m of messages) {
      expect(m.value.length).toBeLessThanOrEqual(MAX_VALUE_BYTES);
      expect(m.partition).toBe(4);
      expect(m.key.toString()).toBe('a'.repeat(32));
    }
    const ids = messages.flatMap((m) => decodeLogs(decodeLogsProtobuf(m.value)).records.map((r) => r.record_id));
    expect(ids).toEqual(logs.map((r) => r.record_id));
    expect(messages.flatMap((m) => m.ids)).toEqual(ids);
  });
});
