import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, type Context } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { buildSampler } from './sampling.js';
import { useLoggerTestBed } from './logger-testing.js';
import { inject, withExtractedContext } from './propagation.js';
import { SAMPLERS } from './config/index.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const withParent = (sampled: boolean): Context =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true });
const decide = (name: (typeof SAMPLERS)[number], ctx: Context, arg = 1, traceId = TRACE_ID) =>
  buildSampler({ sampler: name, sampler_arg: arg }).shouldSample(ctx, traceId, 'op', SpanKind.INTERNAL, {}, []).decision;
const SAMPLED = SamplingDecision.RECORD_AND_SAMPLED;
const DROPPED = SamplingDecision.NOT_RECORD;

describe('buildSampler', () => {
  it.each([
    // sampler, root, under a sampled parent, under an unsampled parent
    ['always_on', SAMPLED, SAMPLED, SAMPLED],
    ['always_off', DROPPED, DROPPED, DROPPED],
    ['traceidratio', SAMPLED, SAMPLED, SAMPLED], // arg 1; a ratio sampler ignores the parent
    ['parentbased_always_on', SAMPLED, SAMPLED, DROPPED],
    ['parentbased_always_off', DROPPED, SAMPLED, DROPPED],
    ['parentbased_traceidratio', SAMPLED, SAMPLED, DROPPED],
  ] as const)('%s decides by the spec', (name, root, sampledParent, unsampledParent) => {
    expect([decide(name, ROOT_CONTEXT), decide(name, withParent(true)), decide(name, withParent(false))]).toEqual([root, sampledParent, unsampledParent]);
  });

  it('covers every sampler of the schema', () => {
    for (const name of SAMPLERS) expect(() => buildSampler({ sampler: name, sampler_arg: 0.5 })).not.toThrow();
  });

  it('traceidratio keeps about sampler_arg of the traces, and none at 0', () => {
    const ids = Array.from({ length: 4000 }, (_, i) => (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(32, '0').slice(-32));
    const kept = ids.filter((id) => decide('traceidratio', ROOT_CONTEXT, 0.25, id) === SAMPLED).length / ids.length;
    expect(kept).toBeGreaterThan(0.2);
    expect(kept).toBeLessThan(0.3);
    expect(ids.some((id) => decide('traceidratio', ROOT_CONTEXT, 0, id) === SAMPLED)).toBe(false);
  });
});

describe('sampling in the logger', () => {
  const bed = useLoggerTestBed();

  it('records no span for an unsampled trace, yet its logs carry the trace and span ids, and the flag travels', async () => {
    const log = await bed.make({ tracing: { sampler: 'always_off' } });
    let ids = { traceId: '', spanId: '' };
    const carrier: Record<string, string> = {};
    log.withSpan('dropped', undefined, (span) => {
      ids = span.spanContext();
      expect(span.isRecording()).toBe(false);
      log.info('inside an unsampled span');
      inject(carrier);
    });
    await log.flush();
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ids.traceId).not.toBe('0'.repeat(32));
    expect(bed.readSpans()).toEqual([]);
    const [rec] = bed.readLogs();
    // Not sampled (bit 0 clear); the new trace's id is random (Trace Context Level 2, bit 1 set).
    expect(rec).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId, trace_flags: 0x02 });
    expect(carrier.traceparent).toBe(`00-${ids.traceId}-${ids.spanId}-02`);
  });

  it('parentbased_always_off follows a sampled remote parent and drops an unsampled one', async () => {
    const log = await bed.make({ tracing: { sampler: 'parentbased_always_off' } });
    withExtractedContext({ traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` }, () => log.withSpan('kept', undefined, () => log.info('sampled')));
    withExtractedContext({ traceparent: `00-${'a'.repeat(32)}-${PARENT_ID}-00` }, () => log.withSpan('dropped', undefined, () => log.info('unsampled')));
    log.withSpan('root dropped', undefined, () => log.info('root'));
    await log.flush();
    const spans = bed.readSpans();
    expect(spans.map((s) => s.name)).toEqual(['kept']);
    expect(spans[0]).toMatchObject({ trace_id: TRACE_ID, parent_span_id: PARENT_ID, flags: 0x301 }); // the parent came from a traceparent: is_remote (bit 9)
    const byBody = Object.fromEntries(bed.readLogs().map((r) => [r.body, r]));
    expect(byBody.sampled).toMatchObject({ trace_id: TRACE_ID, span_id: spans[0].span_id, trace_flags: 1 });
    expect(byBody.unsampled).toMatchObject({ trace_id: 'a'.repeat(32), trace_flags: 0 });
    expect(byBody.unsampled.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(byBody.root.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});
