import { describe, expect, it } from 'vitest';
import { AggregationTemporality, AggregationType, InstrumentType, MeterProvider, MetricReader, type CollectionResult } from '@opentelemetry/sdk-metrics';
import { sharedReader } from './shared-reader.js';

/** A pull reader the test collects from by hand; counts its flushes and shutdowns. */
class TestReader extends MetricReader {
  flushed = 0;
  stopped = 0;
  protected onShutdown = () => Promise.resolve(void this.stopped++);
  protected onForceFlush = () => Promise.resolve(void this.flushed++);
}

function metricOf(result: CollectionResult, name: string) {
  return result.resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
}
const pointsOf = (result: CollectionResult, name: string) => metricOf(result, name)?.dataPoints ?? [];

function setup(views?: ConstructorParameters<typeof MeterProvider>[0]) {
  const cumulative = new TestReader();
  const delta = new TestReader();
  const provider = new MeterProvider({ ...views, readers: [sharedReader([{ reader: cumulative, temporality: 'cumulative' }, { reader: delta, temporality: 'delta' }])] });
  return { provider, meter: provider.getMeter('app'), cumulative, delta };
}

describe('sharedReader', () => {
  it('feeds one aggregation to a cumulative and a delta reader; a delta starts where the last one ended', async () => {
    const { provider, meter, cumulative, delta } = setup();
    const counter = meter.createCounter('orders');
    counter.add(2, { region: 'eu' });
    counter.add(3, { region: 'eu' });
    counter.add(1, { region: 'us' });
    const first = await delta.collect();
    expect(pointsOf(first, 'orders').map((p) => [p.attributes.region, p.value])).toEqual([['eu', 5], ['us', 1]]);
    counter.add(4, { region: 'eu' });
    const second = await delta.collect();
    expect(metricOf(second, 'orders')?.aggregationTemporality).toBe(AggregationTemporality.DELTA);
    const [eu] = pointsOf(second, 'orders');
    expect(pointsOf(second, 'orders')).toHaveLength(1); // us did not change: not reported
    expect(eu.value).toBe(4);
    expect(eu.startTime).toEqual(pointsOf(first, 'orders')[0].endTime);
    const cum = await cumulative.collect();
    expect(metricOf(cum, 'orders')?.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(pointsOf(cum, 'orders').map((p) => p.value)).toEqual([9, 1]);
    await provider.shutdown();
  });

  it('keeps up-down counters and gauges as they are in the delta reader', async () => {
    const { provider, meter, delta } = setup();
    const queue = meter.createUpDownCounter('queue.depth');
    const gauge = meter.createGauge('temperature');
    queue.add(5);
    gauge.record(20);
    await delta.collect();
    queue.add(-2);
    gauge.record(21);
    const result = await delta.collect();
    expect(pointsOf(result, 'queue.depth').map((p) => p.value)).toEqual([3]);
    expect(metricOf(result, 'queue.depth')?.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(pointsOf(result, 'temperature').map((p) => p.value)).toEqual([21]);
    await provider.shutdown();
  });

  it('reports a gauge in the delta reader only when it changed, an observable gauge every time: as a delta reader of sdk-metrics', async () => {
    const { provider, meter, delta } = setup();
    // sdk-metrics' own delta reader (the OTLP delta preference), fed the same measurements, is the reference
    const own = new TestReader({ aggregationTemporalitySelector: (t) => (t === InstrumentType.UP_DOWN_COUNTER ? AggregationTemporality.CUMULATIVE : AggregationTemporality.DELTA) });
    const reference = new MeterProvider({ readers: [own] }).getMeter('app');
    const gauges = [meter.createGauge('temperature'), reference.createGauge('temperature')];
    for (const m of [meter, reference]) m.createObservableGauge('load').addCallback((o) => o.observe(0.5));
    const reported = async () => [delta, own].map(async (r) => (await r.collect()).resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.dataPoints.length > 0).map((m) => `${m.descriptor.name}=${m.dataPoints.map((p) => String(p.value)).join()}`));
    const round = async () => Promise.all(await reported());
    for (const g of gauges) g.record(20, { room: 'a' });
    expect(await round()).toEqual([['temperature=20', 'load=0.5'], ['temperature=20', 'load=0.5']]);
    expect(await round()).toEqual([['load=0.5'], ['load=0.5']]); // not recorded since: not re-sent
    for (const g of gauges) g.record(21, { room: 'a' });
    expect(await round()).toEqual([['temperature=21', 'load=0.5'], ['temperature=21', 'load=0.5']]);
    await provider.shutdown();
  });

  it('subtracts histogram buckets, count and sum; min/max only when the interval moved them', async () => {
    const { provider, meter, delta } = setup();
    const histogram = meter.createHistogram('latency', { advice: { explicitBucketBoundaries: [1, 10] } });
    histogram.record(0.5);
    histogram.record(20);
    await delta.collect();
    histogram.record(5);
    histogram.record(30);
    const [p] = pointsOf(await delta.collect(), 'latency');
    expect(p.value).toEqual({ buckets: { boundaries: [1, 10], counts: [0, 1, 1] }, count: 2, sum: 35, max: 30 });
    await provider.shutdown();
  });

  it('subtracts exponential histograms across a change of scale', async () => {
    const { provider, meter, delta } = setup({ views: [{ instrumentName: 'size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 4 } } }] });
    const histogram = meter.createHistogram('size');
    histogram.record(1);
    histogram.record(2);
    await delta.collect();
    for (const v of [1000, 1_000_000]) histogram.record(v); // forces a lower scale
    const [p] = pointsOf(await delta.collect(), 'size');
    const value = p.value as { count: number; sum: number; positive: { bucketCounts: number[] } };
    expect(value.count).toBe(2);
    expect(value.sum).toBe(1_001_000);
    expect(value.positive.bucketCounts.reduce((a, b) => a + b, 0)).toBe(2);
    await provider.shutdown();
  });

  it('hands forceFlush and shutdown to every reader it feeds', async () => {
    const { provider, cumulative, delta } = setup();
    await provider.forceFlush();
    await provider.shutdown();
    expect([cumulative.flushed, delta.flushed, cumulative.stopped, delta.stopped]).toEqual([1, 1, 1, 1]);
  });
});
