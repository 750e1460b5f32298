import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { context, trace, SpanKind, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import { createDiag, type Diag } from '../../shared/diag.js';
import type { Logger } from '../logger.js';
import { CORRELATION_ID_KEY } from '../logger-core.js';
import { recordError } from '../spans.js';
import { resolveOptions, type HttpInstrumentationOptions, type ResolvedOptions } from './options.js';
import { describeRequest, pickCorrelationId, type RequestInfo } from './request-info.js';
import { remoteParentContext } from './remote-context.js';
import { adoptServerSpan, instrumentedServerSpan } from './adopt.js';
import { logCompletion, setResponseHeaders, type RequestHints, type RequestTrace } from './request-trace.js';

export type { RequestHints, RequestTrace } from './request-trace.js';

/** A node:http request listener, as given to `http.createServer`. */
export type HttpListener = (req: IncomingMessage & { correlationId?: string }, res: ServerResponse) => unknown;

const FAILED = 'http.instrumentation_failed';
const traced = new WeakMap<IncomingMessage, RequestTrace>();

/** One request's span while the response is under way: what `endRequestSpan` needs when it ends. */
interface InFlight {
  readonly logger: Logger;
  readonly res: ServerResponse;
  readonly options: ResolvedOptions;
  readonly hints: RequestHints;
  readonly info: RequestInfo;
  readonly span: Span;
  readonly context: Context;
  readonly startRoute: string | undefined;
  readonly startedAt: number;
  /** The app's handler threw: the span's status is already ERROR, with the error's message. */
  errored: boolean;
  /** The error last recorded: two adapters may report the same one. */
  recorded: unknown;
  ended: boolean;
}

/**
 * Under the official http instrumentation (enabled by configureLogger by default) the request already has its
 * SERVER span: that one is adopted (adopt.ts), never a second one started. Otherwise:
 * starts the SERVER span of one request: a child of the caller's `traceparent` (or a new trace), with the
 * OTel HTTP semconv attributes, a correlation id, and `Server-Timing` / `x-correlation-id` response headers.
 * The span ends exactly once, on the response's 'finish' or 'close' (an unfinished response: client
 * aborted). Returns undefined for ignored paths, and when the instrumentation itself fails (counted as
 * `http.instrumentation_failed`): the caller then runs the app's handler untraced.
 */
export function instrumentRequest(
  logger: Logger,
  req: IncomingMessage & { correlationId?: string },
  res: ServerResponse,
  options: ResolvedOptions,
  hints: RequestHints = {},
): RequestTrace | undefined {
  const existing = traced.get(req);
  if (existing !== undefined) return existing; // instrumented twice (two adapters, a plugin registered twice)
  let span: Span | undefined;
  try {
    const rpc = instrumentedServerSpan();
    if (rpc !== undefined) {
      const adopted = adoptServerSpan(rpc, logger, req, res, options, hints);
      if (adopted !== undefined) traced.set(req, adopted);
      return adopted;
    }
    const info = describeRequest(req, hints.url ?? req.url ?? '/', options.queryRedactor, options.recordClientAddress);
    if (options.isIgnored(info.path)) return undefined;
    const parent = remoteParentContext(req.headers);
    const correlationId = pickCorrelationId(req.headers);
    const startRoute = hints.route;
    const attributes = info.attributes;
    if (startRoute) attributes['http.route'] = startRoute;
    attributes.correlation_id = correlationId;
    const nameRoute = startRoute ?? (hints.pathAsName ? info.path : undefined);
    span = logger.tracer.startSpan(spanName(info.method, nameRoute), { kind: SpanKind.SERVER, attributes }, parent);
    const active: Span = span;
    const ctx = trace.setSpan(parent, active).setValue(CORRELATION_ID_KEY, correlationId);
    if (!res.headersSent) setResponseHeaders(res, active, correlationId);
    // Listeners the app (or a body parser) adds to req/res run in the request's context: 'data' and 'end'
    // come from the socket, whose async context predates the request.
    context.bind(ctx, req);
    context.bind(ctx, res);
    req.correlationId = correlationId;

    const flight: InFlight = {
      logger, res, options, hints, info, span: active, context: ctx, startRoute,
      startedAt: performance.now(), errored: false, recorded: undefined, ended: false,
    };
    res.once('finish', () => endRequestSpan(flight, false));
    res.once('close', () => endRequestSpan(flight, !res.writableFinished));
    const requestTrace: RequestTrace = {
      span: active,
      context: ctx,
      correlationId,
      recordError(err) {
        flight.errored = true;
        if (flight.recorded === err && err !== undefined) return; // two adapters saw the same error
        flight.recorded = err;
        recordError(active, err);
      },
    };
    traced.set(req, requestTrace);
    return requestTrace;
  } catch (err) {
    abandon(logger, span, err);
    return undefined;
  }
}

/** The instrumentation itself failed: counted, and the span ended if it was started. */
function abandon(logger: Logger, span: Span | undefined, err: unknown): void {
  countFailure(logger, err);
  try {
    span?.end();
  } catch (endErr) {
    countFailure(logger, endErr);
  }
}

/** Ends the span once, on 'finish' or 'close': route (if routing set it late), status, the completion record. */
function endRequestSpan(f: InFlight, aborted: boolean): void {
  if (f.ended) return;
  f.ended = true;
  const { span, res } = f;
  try {
    const route = f.hints.routeAtEnd?.() ?? f.startRoute;
    if (route !== f.startRoute && route) {
      span.setAttribute('http.route', route);
      span.updateName(spanName(f.info.method, route));
    }
    const status = res.headersSent || !aborted ? res.statusCode : undefined;
    if (status !== undefined) span.setAttribute('http.response.status_code', status);
    if (aborted) span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted' });
    else if (status !== undefined && status >= 500 && !f.errored) span.setStatus({ code: SpanStatusCode.ERROR });
    if (f.options.logRequests) {
      const durationMs = Math.round((performance.now() - f.startedAt) * 1000) / 1000;
      context.with(f.context, () => logCompletion(f.logger, f.info.method, route, f.info.path, status, durationMs, aborted));
    }
  } catch (err) {
    countFailure(f.logger, err);
  }
  try {
    span.end();
  } catch (err) {
    countFailure(f.logger, err);
  }
}

/**
 * Wraps a node:http request listener: `http.createServer(httpMiddleware(logger, (req, res) => ...))`.
 * The listener runs inside the server span's context (logs across `await` carry its ids), `req.correlationId`
 * is set, and an error it throws (or a promise it rejects with) is recorded on the span and passed on
 * unchanged, so the app behaves exactly as without the middleware.
 */
export function httpMiddleware(logger: Logger, listener: HttpListener, options?: HttpInstrumentationOptions): (req: IncomingMessage, res: ServerResponse) => unknown {
  if (typeof listener !== 'function') throw new TypeError('httpMiddleware: listener must be a function (req, res) => ...');
  const resolved = resolveOptions(options, 'httpMiddleware');
  return function isotelHttpListener(req: IncomingMessage & { correlationId?: string }, res: ServerResponse): unknown {
    const t = instrumentRequest(logger, req, res, resolved, { pathAsName: true });
    if (t === undefined) return listener(req, res);
    return context.with(t.context, () => {
      let result: unknown;
      try {
        result = listener(req, res);
      } catch (err) {
        t.recordError(err);
        throw err;
      }
      if (isPromiseLike(result)) {
        return Promise.resolve(result).then(undefined, (err: unknown) => {
          t.recordError(err);
          throw err;
        });
      }
      return result;
    });
  };
}

function spanName(method: string, route: string | undefined): string {
  // semconv: `{method} {route}`, and `HTTP` for `_OTHER` methods.
  const m = method === '_OTHER' ? 'HTTP' : method;
  return route ? `${m} ${route}` : m;
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

const fallbackDiags = new WeakMap<Logger, Diag>();

/**
 * The logger's diagnostic channel (counters shown by `health()`), read structurally: the Logger interface
 * does not name it. A logger without one gets a channel of its own (stderr, once per message).
 */
export function diagOf(logger: Logger): Diag {
  const own = (logger as { diag?: Partial<Diag> }).diag;
  if (own && typeof own.count === 'function' && typeof own.error === 'function') return own as Diag;
  let d = fallbackDiags.get(logger);
  if (!d) fallbackDiags.set(logger, (d = createDiag()));
  return d;
}

export function countFailure(logger: Logger, err: unknown): void {
  try {
    const diag = diagOf(logger);
    diag.count(FAILED);
    diag.error('HTTP request instrumentation failed; the request is served untraced', err);
  } catch {
    // A diag that throws has nowhere left to report; the request must still be served.
  }
}
