import { describe, expect, it } from 'vitest';
import { AggregationType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, AggregationTemporality, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { createDiag } from '../../shared/diag.js';
import type { MetricPoint } from '../../shared/model.js';
import { decodeMetrics } from '../../shared/otlp/decode.js';
import { decodeMetricsProtobuf } from '../../shared/otlp/protobuf-metrics.js';
import { derivePointId } from '../../shared/otlp/derive-id.js';
import { engineReader, toMetricPoints } from './engine-exporter.js';

const diag = createDiag(() => {});

/** A provider with one of each instrument kind; `temporality` for the engine reader. */
async function collect(temporality: 'cumulative' | 'delta', rounds = 1): Promise<MetricPoint[][]> {
  const collections: MetricPoint[][] = [];
  const reader = engineReader({ sink: (p) => collections.push(p), temporality, intervalSeconds: 3600, diag });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'sdk-metrics-engine-unit' }),
    readers: [reader],
    views: [{ instrumentName: 'exp.duration', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('unit', '1.2.3');
  const counter = meter.createCounter('requests', { unit: '{request}' });
  const updown = meter.createUpDownCounter('queue.depth');
  const histogram = meter.createHistogram('http.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1] } });
  const exp = meter.createHistogram('exp.duration', { unit: 's' });
  const gauge = meter.createGauge('temperature');
  meter.createObservableGauge('heap.used').addCallback((r) => r.observe(42, { kind: 'heap' }));
  for (let i = 0; i < rounds; i++) {
    counter.add(2, { route: '/a' });
    updown.add(-1);
    histogram.record(0.5, { route: '/a' });
    exp.record(3);
    exp.record(0.25);
    gauge.record(21.5);
    await provider.forceFlush();
  }
  await provider.shutdown();
  return collections;
}

const byName = (points: MetricPoint[], name: string) => points.find((p) => p.name === name)!;

describe('sdk-metrics to metric points (engine-exporter)', () => {
  it('converts every point type, cumulative by default', async () => {
    const [points] = await collect('cumulative');
    expect(points.map((p) => `${p.name}:${p.type}`).sort()).toEqual(
      ['exp.duration:exponential_histogram', 'heap.used:gauge', 'http.duration:histogram', 'queue.depth:sum', 'requests:sum', 'temperature:gauge'],
    );
    expect(byName(points, 'requests')).toMatchObject({ value: 2, monotonic: true, temporality: 'cumulative', unit: '{request}', attributes: { route: '/a' }, scope: { name: 'unit', version: '1.2.3' } });
    expect(byName(points, 'requests').resource['service.name']).toBe('sdk-metrics-engine-unit');
    expect(byName(points, 'queue.depth')).toMatchObject({ value: -1, monotonic: false, temporality: 'cumulative' });
    expect(byName(points, 'http.duration')).toMatchObject({ count: 1, sum: 0.5, min: 0.5, max: 0.5, explicit_bounds: [0.1, 1], bucket_counts: [0, 1, 0] });
    const e = byName(points, 'exp.duration');
    expect(e).toMatchObject({ count: 2, sum: 3.25, min: 0.25, max: 3 });
    expect(e.scale).toBeTypeOf('number');
    expect(e.positive!.bucket_counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(byName(points, 'temperature')).toMatchObject({ value: 21.5 });
    expect(byName(points, 'heap.used')).toMatchObject({ value: 42, attributes: { kind: 'heap' } });
    for (const p of points) expect(p.point_id).toMatch(/^[0-9A-Z]{10}-[0-9a-f]{32}$/);
  });

  it('delta: counters and histograms per interval, up-down counters stay cumulative', async () => {
    const [first, second] = await collect('delta', 2);
    expect(byName(second, 'requests')).toMatchObject({ value: 2, temporality: 'delta' });
    expect(byName(second, 'http.duration')).toMatchObject({ count: 1, temporality: 'delta' });
    expect(byName(second, 'queue.depth')).toMatchObject({ value: -2, temporality: 'cumulative' });
    expect(byName(second, 'requests').point_id).not.toBe(byName(first, 'requests').point_id);
  });

  it('gives each point the id the ingest derives from the same data sent by the official OTLP/protobuf exporter', async () => {
    const memory = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const provider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: memory, exportIntervalMillis: 3_600_000 })] });
    const meter = provider.getMeter('ids');
    meter.createCounter('c').add(1, { a: 'x', n: 3, b: true });
    meter.createHistogram('h').record(7, { a: 'y' });
    meter.createGauge('g').record(-0.5);
    await provider.forceFlush();
    const rm: ResourceMetrics = memory.getMetrics()[0];
    const ours = toMetricPoints(rm, diag);
    const viaProtobuf = decodeMetrics(decodeMetricsProtobuf(ProtobufMetricsSerializer.serializeRequest(rm)!));
    expect(viaProtobuf.rejected).toBe(0);
    expect(ours.map((p) => p.point_id).sort()).toEqual(viaProtobuf.records.map(derivePointId).sort());
    expect(ours).toHaveLength(3);
    await provider.shutdown();
  });

  it('rejects a bad point with its reason and keeps the others (NaN)', async () => {
    const warnings: string[] = [];
    const d = createDiag((level, msg) => void (level === 'warn' && warnings.push(msg)));
    const memory = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const provider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: memory, exportIntervalMillis: 3_600_000 })] });
    const meter = provider.getMeter('bad');
    meter.createGauge('g').record(Number.NaN);
    meter.createGauge('ok').record(1);
    await provider.forceFlush();
    const points = toMetricPoints(memory.getMetrics()[0], d);
    expect(points.map((p) => p.name)).toEqual(['ok']);
    expect(warnings.join()).toMatch(/1 metric point\(s\) not recorded/);
    await provider.shutdown();
  });
});
