import {
  context as api,
  INVALID_SPAN_CONTEXT,
  SpanKind,
  trace,
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
  type TracerOptions,
  type TracerProvider,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import type { InstrumentationScope } from '../../shared/model.js';
import { FLAG_RANDOM } from '../../shared/trace-context.js';
import { newSpanId, newTraceId } from './ids.js';
import { RecordingSpan } from './span.js';
import { nowMs, timeInputMs } from './time.js';
import type { TracerCore } from './tracer-core.js';

const NO_ATTRIBUTES = Object.freeze({});
const NO_LINKS: never[] = [];

/**
 * isotel's tracer: the OpenTelemetry API's Tracer with sdk-trace-base's samplers, written here instead of
 * taking sdk-trace-base's Tracer and SpanImpl, whose start+end alone (no-op processor) is 1.2-1.65 µs on a
 * 2-core VM against this one's ~0.5 µs (`npm run bench -- --only=tracing`, "Span start+end").
 *
 * Trace Context Level 2's random-trace-id flag (0x02) is set on every new trace (isotel's trace ids are all
 * random bytes) and carried from the parent otherwise, exactly as the parent had it
 * (https://www.w3.org/TR/trace-context-2/#random-trace-id-flag); non-recording spans carry it too.
 */
export class IsotelTracer implements Tracer {
  constructor(
    private readonly core: TracerCore,
    readonly scope: InstrumentationScope,
  ) {}

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = api.active()): Span {
    if (isTracingSuppressed(ctx)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    if (options.root) ctx = trace.deleteSpan(ctx);
    const parentSpan = trace.getSpan(ctx);
    const parent = parentSpan?.spanContext();
    // A span of this tracer has a valid context by construction; anything else is checked as sdk-trace does.
    const valid = parent !== undefined && (parentSpan instanceof RecordingSpan || trace.isSpanContextValid(parent));
    const traceId = valid ? parent.traceId : newTraceId();
    const kind = options.kind ?? SpanKind.INTERNAL;
    const result = this.core.sampler.shouldSample(ctx, traceId, name, kind, options.attributes ?? NO_ATTRIBUTES, options.links ?? NO_LINKS);
    let flags = result.decision === SamplingDecision.RECORD_AND_SAMPLED ? 1 : 0;
    if (!valid || (parent.traceFlags & FLAG_RANDOM) !== 0) flags |= FLAG_RANDOM;
    const sc: SpanContext = { traceId, spanId: newSpanId(), traceFlags: flags, traceState: result.traceState ?? (valid ? parent.traceState : undefined) };
    if (result.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(sc);
    const start = options.startTime === undefined ? nowMs() : timeInputMs(options.startTime);
    const span = new RecordingSpan(this.core, this.scope, sc, valid ? parent.spanId : undefined, valid && parent.isRemote === true, String(name), kind, start);
    if (options.attributes !== undefined) span.setAttributes(options.attributes);
    if (result.attributes !== undefined) span.setAttributes(result.attributes);
    if (options.links !== undefined) span.addLinks(options.links);
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
    if (typeof fn !== 'function') return undefined; // as sdk-trace's Tracer does for a missing callback
    const ctx = parent ?? api.active();
    const span = this.startSpan(name, options, ctx);
    return api.with(trace.setSpan(ctx, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

/** One tracer per (name, version, schema URL); isotel's own scope object for isotel's own tracer. */
export class IsotelTracerProvider implements TracerProvider {
  private readonly tracers = new Map<string, IsotelTracer>();

  constructor(
    private readonly core: TracerCore,
    private readonly own: InstrumentationScope,
  ) {}

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}\u0000${version ?? ''}\u0000${options?.schemaUrl ?? ''}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = new IsotelTracer(this.core, this.scopeOf(String(name), version, options?.schemaUrl));
      this.tracers.set(key, tracer);
    }
    return tracer;
  }

  private scopeOf(name: string, version: string | undefined, schemaUrl: string | undefined): InstrumentationScope {
    if (name === this.own.name && version === this.own.version && !schemaUrl) return this.own;
    const scope: InstrumentationScope = version ? { name, version } : { name };
    if (schemaUrl) scope.schema_url = schemaUrl;
    return scope;
  }
}
