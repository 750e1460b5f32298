import { describe, it, expect } from 'vitest';
import { decodeLogs, decodeLogsProtobuf } from '../shared/otlp/index.js';
import { createRedactor } from '../shared/redact.js';
import { enrichLogs, type EnrichContext } from './enrich.js';

const RECEIVED_MS = Date.parse('2025-07-06T12:00:00.000Z');
const SENT = '1751799000000000000'; // 2025-07-06T10:50:00Z, observed by the sender
const TIME = '1751798996000000000'; // 2025-07-06T10:49:56Z

function received(records: unknown[], extra: Partial<EnrichContext> = {}) {
  const body = { resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] };
  const decoded = decodeLogs(body, { nowMs: RECEIVED_MS });
  expect(decoded.errors).toEqual([]);
  enrichLogs(decoded.records, { receivedAtMs: RECEIVED_MS, skewThresholdMs: 1000, redactor: createRedactor({ useDefaults: false }), ...extra });
  return decoded.records;
}

describe('observed_timestamp at the ingest', () => {
  it('keeps the observed time the sender set, and sets the receive time only where it set none', () => {
    const [sent, missing, zero] = received([
      { timeUnixNano: TIME, observedTimeUnixNano: SENT },
      { timeUnixNano: TIME },
      { timeUnixNano: TIME, observedTimeUnixNano: '0' },
    ]);
    expect(sent.observed_timestamp).toBe('2025-07-06T10:50:00.000000Z');
    expect(missing.observed_timestamp).toBe('2025-07-06T12:00:00.000000Z');
    expect(zero.observed_timestamp).toBe('2025-07-06T12:00:00.000000Z');
  });

  it('keeps it from protobuf too (fixed64 field 11)', () => {
    // ExportLogsServiceRequest{ResourceLogs{ScopeLogs{LogRecord{time_unix_nano, observed_time_unix_nano}}}}
    const fixed64 = (field: number, n: bigint) => [(field << 3) | 1, ...Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn))];
    const record = [...fixed64(1, BigInt(TIME)), ...fixed64(11, BigInt(SENT))];
    const buf = new Uint8Array([0x0a, record.length + 4, 0x12, record.length + 2, 0x12, record.length, ...record]);
    const decoded = decodeLogs(decodeLogsProtobuf(buf), { nowMs: RECEIVED_MS });
    enrichLogs(decoded.records, { receivedAtMs: RECEIVED_MS, skewThresholdMs: 1000, redactor: createRedactor({ useDefaults: false }) });
    expect(decoded.records[0].observed_timestamp).toBe('2025-07-06T10:50:00.000000Z');
  });

  it('shifts the times the sender set by its clock skew, and not the ones set to the receive time', () => {
    // The sender's clock is 10 s behind: it says it sent at 11:59:50 what arrived at 12:00:00.
    const skewed = { sentAtMs: RECEIVED_MS - 10_000 };
    const [sent, missing] = received([{ timeUnixNano: TIME, observedTimeUnixNano: SENT }, {}], skewed);
    expect([sent.timestamp, sent.observed_timestamp]).toEqual(['2025-07-06T10:50:06.000000Z', '2025-07-06T10:50:10.000000Z']);
    expect(sent.attributes['isotel.clock_skew_ms']).toBe(10_000);
    expect([missing.timestamp, missing.observed_timestamp]).toEqual(['2025-07-06T12:00:00.000000Z', '2025-07-06T12:00:00.000000Z']);
  });
});
