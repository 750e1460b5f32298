import { describe, it, expect } from 'vitest';
import { kafkaBackend, type KafkaBackendOptions } from './backend.js';
import { createDiag } from '../../../shared/diag.js';
import type { LogRecord, MetricPoint, SpanRecord } from '../../../shared/model.js';
import { decodeLogs, decodeLogsProtobuf, decodeMetrics, decodeMetricsProtobuf } from '../../../shared/otlp/index.js';
import { derivePointId, streamKey } from '../../../shared/otlp/derive-id.js';

const ctx = { dataDir: '/tmp', diag: createDiag(() => {}) };
const options: KafkaBackendOptions = { brokers: ['127.0.0.1:9092'], client_id: 't', topics: { logs: 'L', spans: 'S', metrics: 'M', dead_letter: 'D' }, partition_key: 'trace_id', timeout: 0.2 };
const TRACE = 'a'.repeat(32);
const log = (n: number, trace_id?: string): LogRecord => ({
  record_id: `id-${n}`,
  timestamp: '2026-12-06T10:00:00.000000Z',
  observed_timestamp: '2026-12-06T10:00:00.000000Z',
  severity_number: 9,
  severity_text: 'INFO',
  body: `log ${n}`,
  attributes: { n },
  resource: { 'service.name': 'svc' },
  scope: { name: 'isotel' },
  ...(trace_id ? { trace_id, span_id: 'b'.repeat(16) } : {}),
});
const span = { trace_id: TRACE, span_id: 'c'.repeat(16), name: 'x', kind: 'INTERNAL', start_time: '2026-12-06T10:00:00.000000Z', end_time: '2026-12-06T10:00:00.001000Z', duration_ms: 1, status: { code: 'UNSET' }, attributes: {}, events: [], links: [], resource: { 'service.name': 'svc' }, scope: { name: 'isotel' } } as SpanRecord;

type Sent = Array<{ topic: string; key: Buffer; partition?: number; value: Buffer }>;
function fakeProducer(send: (messages: Sent) => Promise<unknown>, metadata: () => Promise<unknown> = () => Promise.resolve({})) {
  const made: Array<{ closed: boolean; sends: Sent[] }> = [];
  const make = () => {
    const p = { closed: false, sends: [] as Sent[] };
    made.push(p);
    return {
      send: (o: { messages: Sent }) => (p.sends.push(o.messages), send(o.messages)),
      metadata,
      close: async () => void (p.closed = true),
    };
  };
  return { make, made };
}

describe('kafka backend', () => {
  it('sends one message per trace id (a record id for logs without one), spans to the spans topic, and keeps one write in flight', async () => {
    const f = fakeProducer(() => Promise.resolve({}));
    const b = kafkaBackend(f.make, options, ctx);
    expect(b.maxInFlight).toBe(1);
    expect(await b.write({ logs: [log(1, TRACE), log(2, TRACE), log(3)], spans: [span], metrics: [] })).toEqual({ status: 'success' });
    const sent = f.made[0].sends[0];
    expect(sent.map((m) => [m.topic, m.key.toString()])).toEqual([['S', TRACE], ['L', TRACE], ['L', 'id-3']]);
    const decoded = decodeLogs(decodeLogsProtobuf(sent[1].value));
    expect(decoded.records.map((r) => r.record_id)).toEqual(['id-1', 'id-2']);
  });

  it('answers retryable when Kafka is unreachable, so the records wait in the engine log', async () => {
    const f = fakeProducer(() => Promise.reject(new Error('Cannot connect to any broker.')));
    const r = await kafkaBackend(f.make, options, ctx).write({ logs: [log(1)], spans: [], metrics: [] });
    expect(r).toMatchObject({ status: 'retryable', reason: expect.stringContaining('Cannot connect to any broker') });
  });

  it('replaces a producer that does not answer within the timeout, and still resolves', async () => {
    const f = fakeProducer(() => new Promise(() => {}));
    const b = kafkaBackend(f.make, options, ctx);
    expect(await b.write({ logs: [log(1)], spans: [], metrics: [] })).toMatchObject({ status: 'retryable', reason: expect.stringContaining('no answer from Kafka within 0.2 s') });
    expect(f.made).toHaveLength(2);
    expect(f.made[0].closed).toBe(true);
  });

  it('rejects for good only the records of a message the broker refuses (MESSAGE_TOO_LARGE)', async () => {
    const tooLarge = Object.assign(new Error('Producing messages failed.'), { errors: [Object.assign(new Error('The request included a message larger than the max message size the server will accept.'), { apiId: 'MESSAGE_TOO_LARGE' })] });
    const f = fakeProducer((messages) => (messages.some((m) => m.key.toString() === 'id-2') ? Promise.reject(tooLarge) : Promise.resolve({})));
    const r = await kafkaBackend(f.make, options, ctx).write({ logs: [log(1), log(2), log(3)], spans: [], metrics: [] });
    expect(r).toEqual({ status: 'failure', reasons: [{ id: 'id-2', reason: expect.stringContaining('MESSAGE_TOO_LARGE') }] });
  });

  it('sends metric points to the metrics topic, one message per stream (keyed by its identity), that decode to the same points and ids', async () => {
    const point = (time: string, core: number): MetricPoint => {
      const p: MetricPoint = { point_id: '', name: 'cpu.temperature', unit: 'Cel', type: 'gauge', time, value: 50 + core, attributes: { core }, resource: { 'service.name': 'svc' }, scope: { name: 'isotel' } };
      p.point_id = derivePointId(p);
      return p;
    };
    const points = [point('2026-12-06T10:00:00.000000Z', 0), point('2026-12-06T10:00:00.000000Z', 1), point('2026-12-06T10:00:10.000000Z', 0)];
    const f = fakeProducer(() => Promise.resolve({}));
    const b = kafkaBackend(f.make, options, ctx);
    expect(b.signals).toEqual(['log', 'span', 'metric']);
    expect(await b.write({ logs: [], spans: [], metrics: points })).toEqual({ status: 'success' });
    const sent = f.made[0].sends[0];
    expect(sent.map((m) => [m.topic, m.key.toString()])).toEqual([['M', streamKey(points[0])], ['M', streamKey(points[1])]]);
    const decoded = sent.flatMap((m) => decodeMetrics(decodeMetricsProtobuf(m.value), { nowMs: Date.parse('2026-12-06T10:00:00Z') }).records);
    expect(decoded.map((p) => ({ ...p, point_id: derivePointId(p) }))).toEqual([points[0], points[2], points[1]]);
    const byId = kafkaBackend(fakeProducer(() => Promise.resolve({})).make, { ...options, partition_key: 'record_id' }, ctx);
    expect(await byId.write({ logs: [], spans: [], metrics: points })).toEqual({ status: 'success' });
  });

  it('with the partition counts known, sends one message per partition, each record where its key hashes to', async () => {
    const metadata = () => Promise.resolve({ topics: new Map([['L', { partitionsCount: 3 }]]) });
    const f = fakeProducer(() => Promise.resolve({}), metadata);
    const hash = (key: Buffer) => key[0];
    const traces = ['a', 'b', 'c', 'd', 'e'].map((c) => c.repeat(32)); // char codes 97..101: partitions 1, 2, 0, 1, 2
    const logs = traces.flatMap((t, i) => [log(2 * i, t), log(2 * i + 1, t)]);
    expect(await kafkaBackend(f.make, options, ctx, hash).write({ logs, spans: [], metrics: [] })).toEqual({ status: 'success' });
    const sent = f.made[0].sends[0];
    expect(sent.map((m) => [m.partition, hash(m.key) % 3])).toEqual([[1, 1], [2, 2], [0, 0]]);
    const ids = sent.map((m) => decodeLogs(decodeLogsProtobuf(m.value)).records.map((r) => r.record_id));
    expect(ids).toEqual([['id-0', 'id-1', 'id-6', 'id-7'], ['id-2', 'id-3', 'id-8', 'id-9'], ['id-4', 'id-5']]);
  });

  it('answers retryable when the partition counts cannot be read', async () => {
    const f = fakeProducer(() => Promise.resolve({}), () => Promise.reject(new Error('Cannot connect to any broker.')));
    const r = await kafkaBackend(f.make, options, ctx, (k) => k[0]).write({ logs: [log(1)], spans: [], metrics: [] });
    expect(r).toMatchObject({ status: 'retryable', reason: expect.stringContaining('Cannot connect to any broker') });
    expect(f.made[0].sends).toHaveLength(0);
  });
});
