/**
 * The browser span API (`telemetry.startSpan`, `withSpan`, `getActiveSpan`): the app wraps its own work in
 * spans; fetch/XHR calls and log records made inside become its children (for the zone-free build: in the
 * synchronous part of `withSpan`'s function and in its await chain, see context/promise-scope.ts). The SDK's
 * own failures never reach the page: a span that cannot be started is a non-recording one. Errors thrown by
 * the app's function passed to withSpan are the app's, and reach it unchanged.
 */
import { context, type Context, INVALID_SPAN_CONTEXT, type Span, type SpanOptions, trace, type Tracer } from '@opentelemetry/api';
import type { Diag } from '../../shared/diag.js';
import type { SpanApi } from '../types.js';
import type { ContextChoice } from './context/types.js';

const nonRecording = (): Span => trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** What a telemetry without tracing offers (server-side rendering, invalid options): spans that record nothing. */
export const noopSpanApi: SpanApi = {
  startSpan: nonRecording,
  withSpan: (span, fn) => fn(span),
  getActiveSpan: () => undefined,
};

export function createSpanApi(tracer: Tracer, run: ContextChoice['run'], diag: Diag): SpanApi {
  return {
    startSpan(name: string, options?: SpanOptions): Span {
      try {
        return tracer.startSpan(String(name), options);
      } catch (err) {
        diag.warn('startSpan failed: a non-recording span instead', err);
        return nonRecording();
      }
    },
    withSpan<T>(span: Span, fn: (span: Span) => T): T {
      let ctx: Context | undefined;
      try {
        ctx = trace.setSpan(context.active(), span);
      } catch (err) {
        diag.warn('withSpan: the span could not be made active', err);
      }
      return ctx ? run(ctx, () => fn(span)) : fn(span);
    },
    getActiveSpan: () => trace.getActiveSpan(),
  };
}
