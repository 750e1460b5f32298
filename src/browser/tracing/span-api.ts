/**
 * The browser span API (`startSpan`, `withSpan`, `getActiveSpan`, on the telemetry object and as named
 * exports): the app wraps its own work in spans; fetch/XHR calls and log records made inside become its
 * children (zone-free: in the synchronous part of `withSpan`'s function and in its await chain, see
 * context/promise-scope.ts). It goes through the global OpenTelemetry API, so it works with whichever
 * context manager isotel registered. The SDK's own failures never reach the page: a span that cannot be
 * started is a non-recording one. Errors thrown by the app's function given to withSpan are the app's, and
 * reach it unchanged.
 */
import { context, type Context, INVALID_SPAN_CONTEXT, type Span, type SpanOptions, trace, type Tracer } from '@opentelemetry/api';
import type { Diag } from '../../shared/diag.js';
import type { SpanApi } from '../types.js';
import { KEEP_THROUGH_PROMISE } from './context/keep-key.js';

const nonRecording = (): Span => trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** What a telemetry without tracing offers (server-side rendering, invalid options): spans that record nothing. */
export const noopSpanApi: SpanApi = {
  startSpan: nonRecording,
  withSpan: (span, fn) => fn(span),
  getActiveSpan: () => undefined,
};

/** `tracer`: where spans start (the named exports ask the global provider each time: before init, a no-op). */
export function createSpanApi(tracer: () => Tracer, diag?: Diag): SpanApi {
  return {
    startSpan(name: string, options?: SpanOptions): Span {
      try {
        return tracer().startSpan(String(name), options);
      } catch (err) {
        diag?.warn('B28' /* startSpan failed: a non-recording span instead */, err);
        return nonRecording();
      }
    },
    withSpan<T>(span: Span, fn: (span: Span) => T): T {
      let ctx: Context | undefined;
      try {
        ctx = trace.setSpan(context.active(), span).setValue(KEEP_THROUGH_PROMISE, true);
      } catch (err) {
        diag?.warn('B29' /* withSpan: the span could not be made active */, err);
      }
      return ctx ? context.with(ctx, () => fn(span)) : fn(span);
    },
    getActiveSpan: () => trace.getActiveSpan(),
  };
}

