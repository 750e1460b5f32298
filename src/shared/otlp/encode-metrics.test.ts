import { describe, it, expect } from 'vitest';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { MetricPoint } from '../model.js';
import { decodeMetrics } from './decode.js';
import { derivePointId } from './derive-id.js';
import { encodeMetrics } from './encode-metrics.js';
import { encodeMetricsProtobuf } from './encode-protobuf-metrics.js';
import { decodeMetricsProtobuf } from './protobuf-metrics.js';
import { sdkResourceMetrics } from './fixtures/sdk-metrics.js';

const NOW = Date.now();
const iso = (msAgo: number, nanos = '123456789') => `${new Date(NOW - msAgo).toISOString().slice(0, 20)}${nanos}Z`;

/** Points as the ingest stores them: decoded, with their derived ids. */
function withIds(points: MetricPoint[]): MetricPoint[] {
  for (const p of points) p.point_id = derivePointId(p);
  return points;
}

function viaJson(points: MetricPoint[]) {
  return decodeMetrics(JSON.parse(JSON.stringify(encodeMetrics(points))), { nowMs: NOW });
}

function viaProtobuf(points: MetricPoint[]) {
  return decodeMetrics(decodeMetricsProtobuf(encodeMetricsProtobuf(encodeMetrics(points))), { nowMs: NOW });
}

const base = { attributes: {}, resource: { 'service.name': 'shop' }, scope: { name: 'checkout', version: '1.2.3' } };

/** What the SDK does not make: summaries, exemplars, flags, tagged values, schema URLs, zeros that are set. */
function handMade(): MetricPoint[] {
  const exemplar = { time: iso(1500, '000000001'), value: 1.25, trace_id: 'ab'.repeat(16), span_id: 'cd'.repeat(8), filtered_attributes: { user: 'u1' } };
  return [
    { ...base, point_id: '', name: 'rpc.latency', type: 'summary', time: iso(1000), start_time: iso(61_000), count: 3, sum: 1.5, quantiles: [{ quantile: 0, value: 0.1 }, { quantile: 0.5, value: 0.4 }, { quantile: 1, value: 0.9 }] },
    { ...base, point_id: '', name: 'req', type: 'sum', temporality: 'delta', monotonic: true, time: iso(1000), value: 7, exemplars: [exemplar], attributes: { big: { $int: '-9007199254740993' }, raw: { $bytes: 'AQID' } } },
    { ...base, point_id: '', name: 'req', type: 'sum', temporality: 'delta', monotonic: true, time: iso(1000), flags: 1, attributes: { stale: true } },
    { ...base, point_id: '', name: 'req', type: 'sum', temporality: 'delta', monotonic: true, time: iso(2000), value: 0 },
    {
      ...base, point_id: '', name: 'wait', unit: 'ms', description: 'Queue wait', type: 'exponential_histogram', temporality: 'cumulative', time: iso(1000), count: 6, sum: 0, min: -3, max: 9,
      scale: -2, zero_count: 1, zero_threshold: 0, positive: { offset: -3, bucket_counts: [1, 0, 2] }, negative: { offset: 1, bucket_counts: [2] }, exemplars: [exemplar],
    },
    { ...base, point_id: '', name: 'size', type: 'histogram', temporality: 'delta', time: iso(1000), count: 2, sum: 0, min: 0, max: 0, bucket_counts: [2, 0], explicit_bounds: [1], exemplars: [exemplar], flags: 0 },
    { ...base, point_id: '', name: 'temp', type: 'gauge', time: iso(1000), value: -2.5, resource: { 'service.name': 'other' }, resource_schema_url: 'https://opentelemetry.io/schemas/1.26.0', scope: { name: 's', schema_url: 'https://example.com/s', attributes: { a: 1 } } },
  ].map((p) => {
    const q = p as MetricPoint;
    if (q.flags === 0) delete q.flags;
    return q;
  });
}

describe('encodeMetrics / encodeMetricsProtobuf', () => {
  it('round-trips every point type the JS SDK makes, in JSON and in protobuf, to the same points and ids', async () => {
    const rm = await sdkResourceMetrics('delta');
    const sdk = decodeMetrics(JSON.parse(new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(rm))), { nowMs: NOW });
    expect(sdk.errors).toEqual([]);
    const points = withIds(sdk.records);
    expect(new Set(points.map((p) => p.type)).size).toBe(4);
    for (const out of [viaJson(points), viaProtobuf(points)]) {
      expect(out.errors).toEqual([]);
      expect(withIds(out.records)).toEqual(points);
    }
  });

  it('round-trips summaries, exemplars, flags, tagged values, schema URLs and zero values', () => {
    const points = withIds(handMade());
    for (const out of [viaJson(points), viaProtobuf(points)]) {
      expect(out.errors).toEqual([]);
      const byId = new Map(withIds(out.records).map((p) => [p.point_id, p]));
      expect(byId.size).toBe(points.length);
      for (const p of points) expect(byId.get(p.point_id)).toEqual(p);
    }
  });

  it('groups points back into one resource, scope and metric per stream', () => {
    const req = encodeMetrics(withIds(handMade()));
    expect(req.resourceMetrics).toHaveLength(2);
    const metrics = req.resourceMetrics?.[0].scopeMetrics?.[0].metrics ?? [];
    expect(metrics.map((m) => m.name)).toEqual(['rpc.latency', 'req', 'wait', 'size']);
    expect(metrics[1].sum).toMatchObject({ aggregationTemporality: 1, isMonotonic: true });
    expect(metrics[1].sum?.dataPoints).toHaveLength(3);
  });

  it('round-trips int64 values beyond 2^53 exactly (decimal strings in the model go out as asInt), in JSON and in protobuf', () => {
    const exemplar = { time: iso(1500), value: '-9007199254740993', filtered_attributes: {} };
    const points = withIds(
      ['9007199254740993', '9223372036854775807', '-9223372036854775808'].map((value, i) => ({ ...base, point_id: '', name: 'bytes', type: 'gauge', time: iso(1000 + i), value, exemplars: [exemplar] }) as MetricPoint),
    );
    expect(encodeMetrics(points).resourceMetrics?.[0].scopeMetrics?.[0].metrics?.[0].gauge?.dataPoints?.[0]).toMatchObject({ asInt: '9007199254740993', exemplars: [{ asInt: '-9007199254740993' }] });
    for (const out of [viaJson(points), viaProtobuf(points)]) {
      expect(out.errors).toEqual([]);
      expect(withIds(out.records)).toEqual(points);
    }
  });

  it('encodes an empty list as an empty request', () => {
    expect(encodeMetrics([])).toEqual({ resourceMetrics: [] });
    expect(encodeMetricsProtobuf(encodeMetrics([]))).toHaveLength(0);
  });
});
