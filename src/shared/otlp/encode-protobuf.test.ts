import { describe, it, expect } from 'vitest';
import { encodeLogsExact, encodeSpansExact } from './encode-exact.js';
import { encodeLogsProtobuf, encodeTracesProtobuf } from './encode-protobuf.js';
import { decodeLogsProtobuf, decodeTracesProtobuf } from './protobuf.js';
import { decodeLogs, decodeSpans } from './decode.js';
import { logRecord, spanRecord } from './fixtures/samples.js';

describe('encodeLogsProtobuf / encodeTracesProtobuf', () => {
  it('round-trips log records through protobuf and the ingest decoder unchanged, tagged values and long strings included', () => {
    const records = [
      logRecord({ record_id: 'a', body: [{ $bytes: 'AQID' }, 1.5, true, null], attributes: { big: { $int: '-9007199254740993' }, s: 'x'.repeat(300), f: -2.25 } }),
      logRecord({ record_id: 'b', body: { nested: { k: ['v', 2] } }, resource: { 'service.name': 'b' }, resource_schema_url: 'https://opentelemetry.io/schemas/1.26.0' }),
    ];
    const out = decodeLogs(decodeLogsProtobuf(encodeLogsProtobuf(encodeLogsExact(records))));
    expect(out.errors).toEqual([]);
    expect(out.records).toEqual(records);
  });

  it('round-trips spans with events, links, status and flags', () => {
    const spans = [
      spanRecord({
        events: [{ name: 'e', time: '2025-07-06T10:34:56.100000Z', attributes: { raw: { $bytes: 'AQ==' } } }],
        links: [{ trace_id: '5b8efff798038103d269b633813fc60c', span_id: 'eee19b7ec3c1b174', attributes: { n: { $int: '-9223372036854775808' } } }],
        status: { code: 'ERROR', message: 'boom' },
      }),
    ];
    const out = decodeSpans(decodeTracesProtobuf(encodeTracesProtobuf(encodeSpansExact(spans))));
    expect(out.errors).toEqual([]);
    expect(out.records).toEqual(spans);
  });

  it('writes a body of 20,000 bytes (a three-byte length prefix) that still decodes', () => {
    const records = [logRecord({ record_id: 'big', body: 'y'.repeat(20_000) })];
    const out = decodeLogs(decodeLogsProtobuf(encodeLogsProtobuf(encodeLogsExact(records))));
    expect(out.records[0].body).toBe('y'.repeat(20_000));
  });
});
