// The record size docs/scaling-out.md sizes Kafka with: a typical log record (an 80-character body, 6 attributes,
// trace and span ids, a 7-attribute resource shared by the message's records) as the OTLP protobuf the kafka sink
// produces, raw and gzipped, per record of a 500-record message.
// Run: npx tsx bench/kafka/record-size.mts
import { gzipSync } from 'node:zlib';
import { encodeLogsExact } from '../../src/shared/otlp/encode-exact.js';
import { encodeLogsProtobuf } from '../../src/shared/otlp/encode-protobuf.js';
import type { LogRecord } from '../../src/shared/model.js';

const N = 500;
const resource = {
  'service.name': 'checkout-api',
  'service.version': '2.14.3',
  'service.instance.id': '5f0c7e0a-3b7d-4f3e-9a51-0c1b2d3e4f50',
  'deployment.environment.name': 'production',
  'host.name': 'ip-10-0-12-34',
  'process.pid': 4242,
  'telemetry.sdk.name': 'isotel',
};
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0').slice(-len);
const records: LogRecord[] = Array.from({ length: N }, (_, i) => {
  const time = new Date(Date.UTC(2026, 11, 7, 12, 0, 0, i)).toISOString();
  return {
    record_id: `01JF${hex(i * 7919, 8).toUpperCase()}Q2W3E4R5T6Y7U8`,
    timestamp: time,
    observed_timestamp: time,
    severity_text: 'INFO',
    severity_number: 9,
    body: `order ${100000 + i} paid: 3 items, total 59.90 EUR, card ending ${String(1000 + (i % 9000))}, via web`.padEnd(80, '.').slice(0, 80),
    trace_id: hex(i * 2654435761, 32),
    span_id: hex(i * 40503, 16),
    trace_flags: 1,
    attributes: {
      'http.request.method': 'POST',
      'http.route': '/api/orders/:id/pay',
      'user.id': `u-${i % 1000}`,
      'order.items': 3,
      'payment.provider': 'stripe',
      'log.record.uid': `01JF${hex(i * 7919, 8).toUpperCase()}Q2W3E4R5T6Y7U8`,
    },
    resource,
    scope: { name: 'isotel', version: '0.1.0' },
  };
});
const raw = encodeLogsProtobuf(encodeLogsExact(records));
const gz = gzipSync(raw, { level: 6 });
console.log(`${N} log records as one OTLP protobuf message: ${raw.length} B, ${(raw.length / N).toFixed(0)} B per record; gzipped ${gz.length} B, ${(gz.length / N).toFixed(0)} B per record`);
