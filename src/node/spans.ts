import { context, trace, SpanStatusCode, type Span, type Tracer, type SpanKind, type Attributes as OtelAttributes } from '@opentelemetry/api';
import type { Diag } from '../shared/diag.js';
import { sanitizeAttributes } from '../shared/sanitize.js';
import { CORRELATION_ID_KEY } from './logger-core.js';

export interface SpanOptions {
  /** Stored as the span's `correlation_id` attribute and on every record logged inside the span. */
  correlation_id?: string;
  kind?: SpanKind;
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

export function recordError(span: Span, err: unknown): void {
  try {
    if (err instanceof Error) span.recordException(err);
    else span.recordException({ name: 'Error', message: String(err) });
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  } catch {
    // recordException on an ended span only warns through the OTel diag channel; nothing to add.
  }
}

/**
 * Runs `fn` inside a new active span (sync or async; the span ends when a returned promise settles). The
 * span's context follows `await`, timers and `Promise.all` through AsyncLocalStorage. An error thrown by
 * `fn` is the host's own: it is recorded on the span and thrown on unchanged. If the SDK itself fails to
 * start a span, `fn` still runs, untraced.
 */
export function runInSpan<T>(
  tracer: Tracer,
  diag: Diag,
  name: string,
  attributes: Record<string, unknown> | undefined,
  fn: (span: Span) => T,
  options: SpanOptions = {},
): T {
  let span: Span;
  let ctx;
  try {
    const attrs = attributes ? (sanitizeAttributes(attributes).attributes as OtelAttributes) : {};
    if (options.correlation_id !== undefined) attrs.correlation_id = options.correlation_id;
    span = tracer.startSpan(name, { attributes: attrs, kind: options.kind }, context.active());
    ctx = context.active();
    if (options.correlation_id !== undefined) ctx = ctx.setValue(CORRELATION_ID_KEY, options.correlation_id);
    ctx = ctxWithSpan(ctx, span);
  } catch (err) {
    diag.count('spans.start_failed');
    diag.error(`span ${name} could not start`, err);
    return fn(noopSpan);
  }
  return context.with(ctx, () => {
    let result: T;
    try {
      result = fn(span);
    } catch (err) {
      recordError(span, err);
      span.end();
      throw err;
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(
        (v) => {
          span.end();
          return v;
        },
        (err: unknown) => {
          recordError(span, err);
          span.end();
          throw err;
        },
      ) as T;
    }
    span.end();
    return result;
  });
}

function ctxWithSpan(ctx: ReturnType<typeof context.active>, span: Span) {
  return trace.setSpan(ctx, span);
}

const noopSpan: Span = trace.wrapSpanContext({ traceId: '00000000000000000000000000000000', spanId: '0000000000000000', traceFlags: 0 });
