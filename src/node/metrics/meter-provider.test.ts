import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AggregationTemporality, InstrumentType, MetricReader, type CollectionResult } from '@opentelemetry/sdk-metrics';
import { createDiag } from '../../shared/diag.js';
import { parseConfigObject } from '../config/index.js';
import { startMetrics } from './meter-provider.js';
import { freePort } from './testing.js';
import type { MetricPoint } from '../../shared/model.js';

/** A pull reader the test collects from by hand. */
class TestReader extends MetricReader {
  protected onShutdown = () => Promise.resolve();
  protected onForceFlush = () => Promise.resolve();
}

const resource = { 'service.name': 'unit', 'service.version': '9.9.9', 'process.pid': 42 };

function setup(metrics: Record<string, unknown> = {}, readers?: MetricReader[]) {
  const messages: string[] = [];
  const diag = createDiag((level, message) => messages.push(`${level}: ${message}`));
  const config = parseConfigObject({ logger: { metrics } }).logger.metrics;
  return { started: startMetrics({ config, resource, diag, readers }), messages };
}

function seriesOf(result: CollectionResult, name: string) {
  const metric = result.resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return metric?.dataPoints ?? [];
}

describe('startMetrics', () => {
  it('records on the process resource, cumulatively, through the readers it is given', async () => {
    const reader = new TestReader();
    const { started } = setup({}, [reader]);
    const counter = started.meterProvider!.getMeter('app').createCounter('orders', { unit: '{order}' });
    counter.add(2, { region: 'eu' });
    counter.add(3, { region: 'eu' });
    const result = await reader.collect();
    expect(result.resourceMetrics.resource.attributes).toMatchObject(resource);
    expect(seriesOf(result, 'orders')).toMatchObject([{ attributes: { region: 'eu' }, value: 5 }]);
    expect(reader.selectAggregationTemporality(InstrumentType.COUNTER)).toBe(AggregationTemporality.CUMULATIVE);
    await started.shutdown();
  });

  it('keeps cardinality_limit series per instrument and adds the rest to one overflow series', async () => {
    const reader = new TestReader();
    const { started } = setup({ cardinality_limit: 5 }, [reader]);
    const counter = started.meterProvider!.getMeter('app').createCounter('requests');
    for (let i = 0; i < 20; i++) counter.add(1, { user: `u${i}` });
    const points = seriesOf(await reader.collect(), 'requests');
    expect(points).toHaveLength(5);
    expect(points.find((p) => p.attributes['otel.metric.overflow'] === true)?.value).toBe(16);
    await started.shutdown();
  });

  it('uses 2,000 series per instrument unless told otherwise', () => {
    expect(parseConfigObject({ logger: {} }).logger.metrics).toEqual({ enabled: true, cardinality_limit: 2000, export_interval: 60, temporality: 'cumulative', prometheus: { host: '127.0.0.1' }, views: [] });
  });

  it('starts no provider when metrics.enabled is false', async () => {
    const { started } = setup({ enabled: false, prometheus: { port: 1 } });
    expect(started.meterProvider).toBeUndefined();
    await expect(started.shutdown()).resolves.toBeUndefined();
  });

  it('serves the Prometheus text on metrics.prometheus.port, with OpenTelemetry names translated, until shutdown', async () => {
    const port = await freePort();
    const { started } = setup({ prometheus: { port } });
    await started.ready;
    const meter = started.meterProvider!.getMeter('app');
    meter.createCounter('jobs.done', { unit: '{job}' }).add(7, { queue: 'mail' });
    meter.createHistogram('job.duration', { unit: 's' }).record(0.3, { queue: 'mail' });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/^jobs_done_total\{queue="mail",otel_scope_name="app"[^}]*\} 7$/m);
    expect(text).toMatch(/^job_duration_seconds_bucket\{queue="mail",otel_scope_name="app"[^}]*,le="5"\} 1$/m); // default buckets: 0, 5, 10, ...
    expect(text).toMatch(/^target_info\{.*service_name="unit".*\} 1$/m);
    await started.shutdown();
    await started.shutdown(); // idempotent
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('reports a metrics port it cannot take on the diag channel, and the app goes on', async () => {
    const taken: Server = await new Promise((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => resolve(s));
    });
    const port = (taken.address() as { port: number }).port;
    try {
      const { started, messages } = setup({ prometheus: { port } });
      await started.ready;
      expect(() => started.meterProvider!.getMeter('app').createCounter('x').add(1)).not.toThrow();
      expect(messages.join('\n')).toContain(`error: logger.metrics.prometheus: cannot listen on 127.0.0.1:${port}`);
      await expect(started.shutdown()).resolves.toBeUndefined();
    } finally {
      taken.close();
    }
  });
});

describe('startMetrics with the engine and a Prometheus port', () => {
  it('records each measurement once for both: Prometheus reads it cumulatively, the engine in delta', async () => {
    const port = await freePort();
    const batches: MetricPoint[][] = [];
    const diag = createDiag(() => {});
    const config = parseConfigObject({ logger: { metrics: { temporality: 'delta', prometheus: { port } } } }).logger.metrics;
    const started = startMetrics({ config, resource, diag, onPoints: (points) => batches.push(points) });
    await started.ready;
    const counter = started.meterProvider!.getMeter('app').createCounter('jobs.done');
    const valuesOf = (name: string) => batches.flat().filter((p) => p.name === name).map((p) => p.value);
    counter.add(2);
    await started.flush();
    counter.add(3);
    await started.flush();
    expect(valuesOf('jobs.done')).toEqual([2, 3]);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/^jobs_done_total\{[^}]*\} 5$/m);
    await started.shutdown();
  });
});
