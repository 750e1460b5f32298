import {
  context as api,
  INVALID_TRACEID,
  trace,
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
  type TracerOptions,
  type TracerProvider,
} from '@opentelemetry/api';
import { FLAG_RANDOM } from '../shared/trace-context.js';

/**
 * Trace Context Level 2's random-trace-id flag (trace-flags bit 0x02) on the spans isotel's tracers start.
 * The rules (https://www.w3.org/TR/trace-context-2/#random-trace-id-flag): a participant that generates a
 * new trace-id whose right-most 7 bytes are random SHOULD set it; one that continues a trace MUST carry the
 * flag exactly as its parent had it.
 *
 * sdk-trace's Tracer writes only the sampled bit into a new span context (SAMPLED or NONE) and has no hook
 * for other bits, so the flag is set on the span context right after the span starts. isotel's trace ids
 * come from sdk-trace's RandomIdGenerator (all 16 bytes random), so every new trace gets the flag; a child
 * gets it when its parent in the same trace has it (an in-process parent, or a traceparent extracted with
 * 0x02). Non-recording spans are covered too, so a dropped trace still propagates the flag. Span processors'
 * onStart sees the flags without the bit (they run inside startSpan); everything later sees it.
 */
export function withRandomTraceFlag(provider: TracerProvider): TracerProvider {
  const tracers = new WeakMap<Tracer, Tracer>();
  return {
    getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
      const inner = provider.getTracer(name, version, options);
      let outer = tracers.get(inner); // the SDK returns one Tracer per name/version: wrap each once
      if (outer === undefined) {
        outer = new RandomFlagTracer(inner);
        tracers.set(inner, outer);
      }
      return outer;
    },
  };
}

class RandomFlagTracer implements Tracer {
  constructor(private readonly inner: Tracer) {}

  startSpan(name: string, options?: SpanOptions, ctx: Context = api.active()): Span {
    const span = this.inner.startSpan(name, options, ctx);
    markRandom(span.spanContext(), options?.root ? undefined : trace.getSpanContext(ctx));
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, a?: SpanOptions | F, b?: Context | F, c?: F): ReturnType<F> | undefined {
    let options: SpanOptions | undefined;
    let parent: Context | undefined;
    let fn: F | undefined;
    if (typeof a === 'function') fn = a;
    else if (typeof b === 'function') [options, fn] = [a, b];
    else [options, parent, fn] = [a, b, c];
    if (typeof fn !== 'function') return undefined; // the SDK's Tracer does the same for a missing callback
    const ctx = parent ?? api.active();
    const span = this.startSpan(name, options, ctx);
    return api.with(trace.setSpan(ctx, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

/**
 * Sets the flag on a started span's context when it began a trace or its parent has the flag. The context
 * is the object the span keeps (sdk-trace and the API's NonRecordingSpan return it from spanContext()); the
 * invalid one (tracing suppressed: the API's shared INVALID_SPAN_CONTEXT) is never touched. Plain string
 * comparisons, no id validation: the SDK validated the parent before using its trace id, and a span with the
 * parent's trace id continues it (isSpanContextValid's regexes doubled the cost of this wrapper).
 */
export function markRandom(sc: SpanContext, parent: SpanContext | undefined): void {
  if ((sc.traceFlags & FLAG_RANDOM) !== 0 || sc.traceId === INVALID_TRACEID) return;
  if (parent !== undefined && parent.traceId === sc.traceId && (parent.traceFlags & FLAG_RANDOM) === 0) return;
  try {
    sc.traceFlags |= FLAG_RANDOM;
  } catch {
    // A frozen span context (some other SDK's span): its flags stay as they are.
  }
}
