// @opentelemetry/sdk-metrics used directly: a MeterProvider with one pull reader, instruments from its meter.
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BOUNDARIES, SETS, timeOps, value, report, attrsOf } from './shape.mjs';

class PullReader extends MetricReader {
  onShutdown() { return Promise.resolve(); }
  onForceFlush() { return Promise.resolve(); }
}
const reader = new PullReader();
const provider = new MeterProvider({ readers: [reader] });
const meter = provider.getMeter('bench');
const counter = meter.createCounter('bench.requests');
const histogram = meter.createHistogram('bench.duration', { unit: 's', advice: { explicitBucketBoundaries: BOUNDARIES } });
const attrs = attrsOf(SETS);
const counter_ = timeOps((i) => counter.add(1, attrs(i)));
const histogram_ = timeOps((i) => histogram.record(value(i), attrs(i)));
const { resourceMetrics } = await reader.collect();
const points = resourceMetrics.scopeMetrics[0].metrics.find((m) => m.descriptor.name === 'bench.requests').dataPoints;
await provider.shutdown();
report(counter_, histogram_, points.reduce((n, p) => n + p.value, 0));
