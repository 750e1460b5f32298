import { describe, expect, it } from 'vitest';
import { DataPointType, MetricReader, type CollectionResult } from '@opentelemetry/sdk-metrics';
import { createDiag } from '../../shared/diag.js';
import { ConfigError, parseConfigObject } from '../config/index.js';
import { startMetrics } from './meter-provider.js';

class TestReader extends MetricReader {
  protected onShutdown = () => Promise.resolve();
  protected onForceFlush = () => Promise.resolve();
}

function withViews(views: unknown[]) {
  const reader = new TestReader();
  const config = parseConfigObject({ logger: { metrics: { views } } }).logger.metrics;
  const started = startMetrics({ config, resource: { 'service.name': 'unit' }, diag: createDiag(() => {}), readers: [reader] });
  return { reader, started, meter: started.meterProvider!.getMeter('app', '1.0') };
}

const metrics = (r: CollectionResult) => r.resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);

describe('logger.metrics.views', () => {
  it('sets histogram boundaries, keeps only the listed attribute keys, and renames the stream', async () => {
    const { reader, started, meter } = withViews([
      {
        instrument_name: 'http.server.request.duration',
        name: 'http.latency',
        description: 'Latency by route',
        attribute_keys: ['http.route'],
        aggregation: { type: 'explicit_bucket_histogram', boundaries: [0.1, 1] },
      },
    ]);
    const h = meter.createHistogram('http.server.request.duration', { unit: 's' });
    h.record(0.05, { 'http.route': '/a', 'user.id': 'u1' });
    h.record(0.5, { 'http.route': '/a', 'user.id': 'u2' });
    h.record(5, { 'http.route': '/b', 'user.id': 'u3' });
    const [m] = metrics(await reader.collect());
    expect(m.descriptor).toMatchObject({ name: 'http.latency', description: 'Latency by route', unit: 's' });
    const byRoute = Object.fromEntries(m.dataPoints.map((p) => [p.attributes['http.route'], p]));
    expect(Object.keys(byRoute).sort()).toEqual(['/a', '/b']);
    expect(m.dataPoints.every((p) => Object.keys(p.attributes).length === 1)).toBe(true);
    expect(byRoute['/a'].value).toMatchObject({ buckets: { boundaries: [0.1, 1], counts: [1, 1, 0] }, count: 2 });
    await started.shutdown();
  });

  it('drops instruments by wildcard, and leaves the instruments no view selects as they were', async () => {
    const { reader, started, meter } = withViews([{ instrument_name: 'debug.*', aggregation: { type: 'drop' } }]);
    meter.createCounter('debug.cache_hits').add(1);
    meter.createCounter('orders').add(2, { region: 'eu' });
    expect(metrics(await reader.collect()).map((m) => m.descriptor.name)).toEqual(['orders']);
    await started.shutdown();
  });

  it('selects by instrument type and meter, with an exponential histogram and a per-view series limit', async () => {
    const { reader, started, meter } = withViews([{ instrument_type: 'histogram', meter_name: 'app', aggregation: { type: 'exponential_histogram', max_size: 20 }, cardinality_limit: 3 }]);
    const h = meter.createHistogram('size');
    for (let i = 0; i < 10; i++) h.record(i + 1, { k: `v${i}` });
    const [m] = metrics(await reader.collect());
    expect(m.dataPointType).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);
    expect(m.dataPoints).toHaveLength(3); // 2 series + the overflow series
    expect(m.dataPoints.find((p) => p.attributes['otel.metric.overflow'] === true)).toBeDefined();
    await started.shutdown();
  });

  it('rejects a view without a selector, a named view with a wildcard, and unsorted boundaries, naming the key', () => {
    const parse = (v: unknown) => () => parseConfigObject({ logger: { metrics: { views: [v] } } });
    expect(parse({ name: 'x' })).toThrow(/views\[0\].*a view needs a selector/s);
    expect(parse({ instrument_name: 'http.*', name: 'x' })).toThrow(/views\[0\]\.name.*must select one instrument/s);
    expect(parse({ instrument_name: 'h', aggregation: { type: 'explicit_bucket_histogram', boundaries: [5, 1] } })).toThrow(/boundaries must be in increasing order/);
    expect(parse({ instrument_name: 'h', aggregation: { type: 'histogram' } })).toThrow(ConfigError);
    expect(parse({ instrument_nam: 'h' })).toThrow(/unknown key "instrument_nam" \(did you mean "instrument_name"\?\)/);
  });
});
