import { describe, it, expect } from 'vitest';
import { useLoggerTestBed } from './logger-testing.js';

const { make, readLogs, readSpans } = useLoggerTestBed();

describe('configureLogger', () => {
  it('gives records inside withSpan the span ids across await, timers and Promise.all', async () => {
    const log = await make();
    let spanTrace = '';
    await log.withSpan('data_processing', { batch_size: 100 }, async (span) => {
      spanTrace = span.spanContext().traceId;
      log.info('before await');
      await new Promise((r) => setTimeout(r, 5));
      log.info('after timer');
      await Promise.all([1, 2, 3].map(async (i) => {
        await new Promise((r) => setImmediate(r));
        log.info(`in parallel ${i}`);
      }));
      setTimeout(() => log.info('in a timer callback'), 1);
      await new Promise((r) => setTimeout(r, 10));
    });
    log.info('outside');
    await log.flush();
    const logs = readLogs();
    const inside = logs.filter((r) => r.body !== 'outside');
    expect(inside).toHaveLength(6);
    for (const r of inside) expect(r.trace_id).toBe(spanTrace);
    expect(logs.find((r) => r.body === 'outside')?.trace_id).toBeUndefined();
    const [span] = readSpans();
    expect(span.name).toBe('data_processing');
    expect(span.trace_id).toBe(spanTrace);
    expect(span.attributes).toEqual({ batch_size: 100 });
    expect(inside[0].span_id).toBe(span.span_id);
  });

  it('nests spans: the child span has the parent span id', async () => {
    const log = await make();
    log.withSpan('outer', undefined, () => log.withSpan('inner', undefined, () => log.info('deep')));
    await log.flush();
    const spans = readSpans();
    const outer = spans.find((s) => s.name === 'outer')!;
    const inner = spans.find((s) => s.name === 'inner')!;
    expect(inner.parent_span_id).toBe(outer.span_id);
    expect(inner.trace_id).toBe(outer.trace_id);
    expect(readLogs()[0].span_id).toBe(inner.span_id);
  });

  it('puts the correlation id on spans and on every record inside', async () => {
    const log = await make();
    await log.withSpan('req', undefined, async () => {
      log.info('a');
      await Promise.resolve();
      log.info('b');
    }, { correlation_id: 'req-003' });
    log.withCorrelationId('req-004', () => log.info('c'));
    await log.flush();
    const logs = readLogs();
    expect(logs.map((r) => r.attributes.correlation_id)).toEqual(['req-003', 'req-003', 'req-004']);
    expect(readSpans()[0].attributes.correlation_id).toBe('req-003');
  });

  it('marks the traces it starts with the Level 2 random-trace-id flag, on spans, children and records', async () => {
    const log = await make();
    log.withSpan('outer', undefined, () => log.withSpan('inner', undefined, () => log.info('deep')));
    await log.flush();
    expect(readSpans().map((s) => s.flags)).toEqual([0x103, 0x103]); // OTLP SpanFlags: trace flags, and is_remote known (bit 8)
    expect(readLogs()[0].trace_flags).toBe(3);
  });
});
