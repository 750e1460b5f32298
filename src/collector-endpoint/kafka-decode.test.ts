import { describe, it, expect } from 'vitest';
import { decodeKafkaMessage } from './kafka-decode.js';
import { createRedactor } from '../shared/redact.js';
import { encodeLogsExact, encodeSpansExact } from '../shared/otlp/encode-exact.js';
import { encodeLogsProtobuf, encodeTracesProtobuf } from '../shared/otlp/encode-protobuf.js';
import { logRecord, spanRecord } from '../shared/otlp/fixtures/samples.js';
import { LOG_RECORD_UID } from '../shared/otlp/any-value.js';
import { encodeMetrics } from '../shared/otlp/encode-metrics.js';
import { encodeMetricsProtobuf } from '../shared/otlp/encode-protobuf-metrics.js';
import type { MetricPoint } from '../shared/model.js';

const ctx = { receivedAtMs: Date.parse('2026-12-06T10:00:00Z'), skewThresholdMs: 1000, redactor: createRedactor({}) };

describe('decodeKafkaMessage', () => {
  it('decodes a logs message and gives a record without log.record.uid a derived id, the same for the same message', () => {
    const withoutId = encodeLogsExact([logRecord({ record_id: 'x' })]);
    for (const rl of withoutId.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) for (const r of sl.logRecords ?? []) r.attributes = r.attributes?.filter((a) => a.key !== LOG_RECORD_UID);
    const value = encodeLogsProtobuf(withoutId);
    const a = decodeKafkaMessage('logs', value, {}, ctx);
    const b = decodeKafkaMessage('logs', value, {}, ctx);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.batch.logs).toHaveLength(1);
    expect(a.batch.logs[0].record_id).toMatch(/\S{16,}/);
    expect(a.batch.logs[0].record_id).toBe(b.batch.logs[0].record_id);
  });

  it('decodes a spans message from the spans topic', () => {
    const r = decodeKafkaMessage('spans', encodeTracesProtobuf(encodeSpansExact([spanRecord()])), {}, ctx);
    expect(r.ok && r.batch.spans.length).toBe(1);
  });

  it('decodes a metrics message with derived point ids, the same each time it is read', () => {
    const p: MetricPoint = { point_id: '', name: 'orders', type: 'sum', temporality: 'cumulative', monotonic: true, time: '2026-12-06T09:59:59.000000Z', value: 3, attributes: {}, resource: { 'service.name': 'shop' }, scope: { name: 'checkout' } };
    const value = encodeMetricsProtobuf(encodeMetrics([p]));
    const a = decodeKafkaMessage('metrics', value, { nowMs: ctx.receivedAtMs }, ctx);
    const b = decodeKafkaMessage('metrics', value, { nowMs: ctx.receivedAtMs }, ctx);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.batch.metrics).toHaveLength(1);
    expect(a.batch.metrics[0]).toMatchObject({ name: 'orders', value: 3, point_id: expect.stringMatching(/\S{16,}/) });
    expect(a.batch.metrics[0].point_id).toBe(b.batch.metrics[0].point_id);
    expect(decodeKafkaMessage('metrics', Buffer.from('not protobuf \xff'), {}, ctx)).toMatchObject({ ok: false, reason: expect.stringMatching(/^not an OTLP protobuf ExportMetricsServiceRequest: /) });
  });

  it('refuses what is not protobuf, and an empty request, with the reason', () => {
    expect(decodeKafkaMessage('logs', Buffer.from('not protobuf \xff'), {}, ctx)).toMatchObject({ ok: false, reason: expect.stringMatching(/^not an OTLP protobuf ExportLogsServiceRequest: /) });
    expect(decodeKafkaMessage('spans', new Uint8Array(0), {}, ctx)).toEqual({ ok: false, reason: 'an empty spans request' });
  });
});
