import { describe, expect, it } from 'vitest';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createDiag } from '../../shared/diag.js';
import type { MetricPoint } from '../../shared/model.js';
import { engineReader } from './engine-exporter.js';
import { ExemplarStore, withExemplars } from './exemplars.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const inSpan = (spanId: string, sampled = true) =>
  trace.setSpan(context.active(), trace.wrapSpanContext({ traceId: TRACE, spanId, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE }));

async function run(record: (h: ReturnType<ReturnType<MeterProvider['getMeter']>['createHistogram']>) => void): Promise<MetricPoint[][]> {
  const collections: MetricPoint[][] = [];
  const store = new ExemplarStore(100);
  const sdk = new MeterProvider({ readers: [engineReader({ sink: (p) => collections.push(p), temporality: 'cumulative', intervalSeconds: 3600, diag: createDiag(() => {}), exemplars: store })] });
  const h = withExemplars(sdk, store).getMeter('ex', '1').createHistogram('latency', { unit: 'ms' });
  record(h);
  await sdk.forceFlush();
  await sdk.forceFlush();
  await sdk.shutdown();
  return collections;
}

describe('histogram exemplars (trace-based filter)', () => {
  it('keeps the most recent and the largest sampled measurement of each series, with trace and span id', async () => {
    const [first, second] = await run((h) => {
      h.record(900, { route: '/slow' }, inSpan('00f067aa0ba902b7'));
      h.record(20, { route: '/slow' }, inSpan('00f067aa0ba902b8'));
      h.record(5, { route: '/fast' });
    });
    const slow = first.find((p) => p.attributes.route === '/slow')!;
    expect(slow.exemplars).toEqual([
      expect.objectContaining({ value: 20, trace_id: TRACE, span_id: '00f067aa0ba902b8' }),
      expect.objectContaining({ value: 900, trace_id: TRACE, span_id: '00f067aa0ba902b7' }),
    ]);
    expect(first.find((p) => p.attributes.route === '/fast')!.exemplars).toBeUndefined();
    // the next collection starts anew
    expect(second.every((p) => p.exemplars === undefined)).toBe(true);
  });

  it('keys a series by its attributes whatever their order, and never joins two series', async () => {
    const [points] = await run((h) => {
      h.record(7, { b: 'x', a: 1 }, inSpan('00f067aa0ba902c1'));
      h.record(3, { a: 1, b: 'x' }, inSpan('00f067aa0ba902c2'));
      h.record(1, { a: '1', b: 'x' }, inSpan('00f067aa0ba902c3'));
      h.record(2, { a: 1, b: 'x;' }, inSpan('00f067aa0ba902c4'));
    });
    const spans = (attrs: Record<string, unknown>) => points.find((p) => JSON.stringify(p.attributes) === JSON.stringify(attrs))?.exemplars?.map((e) => e.span_id);
    expect(spans({ a: 1, b: 'x' }) ?? spans({ b: 'x', a: 1 })).toEqual(['00f067aa0ba902c2', '00f067aa0ba902c1']);
    expect(spans({ a: '1', b: 'x' })).toEqual(['00f067aa0ba902c3']);
    expect(spans({ a: 1, b: 'x;' })).toEqual(['00f067aa0ba902c4']);
    expect(points.flatMap((p) => p.exemplars ?? []).every((e) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(e.time))).toBe(true);
  });

  it('takes none from a span that is not sampled', async () => {
    const [points] = await run((h) => h.record(1, {}, inSpan('00f067aa0ba902b9', false)));
    expect(points[0].exemplars).toBeUndefined();
  });
});
