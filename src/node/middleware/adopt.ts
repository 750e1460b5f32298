import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType, type RPCMetadata } from '@opentelemetry/core';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger.js';
import { CORRELATION_ID_KEY } from '../logger-core.js';
import { recordError } from '../spans.js';
import type { ResolvedOptions } from './options.js';
import { logCompletion, setResponseHeaders, type RequestHints, type RequestTrace } from './request-trace.js';
import { describeRequest, pickCorrelationId } from './request-info.js';

/**
 * The SERVER span the official http instrumentation started for the request being handled, when it is
 * enabled (isotel enables it by default): it puts the span and an RPC metadata record in the request's
 * context, which Express and Fastify instrumentations also use to report the route.
 */
export function instrumentedServerSpan(): RPCMetadata | undefined {
  const rpc = getRPCMetadata(context.active());
  return rpc?.type === RPCType.HTTP && rpc.span !== undefined ? rpc : undefined;
}

/**
 * httpMiddleware / expressMiddleware / fastifyPlugin under the http instrumentation: no second server span.
 * The instrumentation's span is the request's; the middleware adds what it adds to its own (correlation id,
 * `Server-Timing: traceparent`, `x-correlation-id`, the route where the framework instrumentation did not
 * report one, the handler's error, the "request completed" record) and never ends it.
 */
export function adoptServerSpan(
  rpc: RPCMetadata,
  logger: Logger,
  req: IncomingMessage & { correlationId?: string },
  res: ServerResponse,
  options: ResolvedOptions,
  hints: RequestHints,
): RequestTrace | undefined {
  const info = describeRequest(req, hints.url ?? req.url ?? '/', options.queryRedactor, options.recordClientAddress);
  if (options.isIgnored(info.path)) return undefined;
  const span = rpc.span;
  const correlationId = pickCorrelationId(req.headers);
  span.setAttribute('correlation_id', correlationId);
  if (hints.route && rpc.route === undefined) rpc.route = hints.route;
  const ctx = context.active().setValue(CORRELATION_ID_KEY, correlationId);
  if (!res.headersSent) setResponseHeaders(res, span, correlationId);
  req.correlationId = correlationId;
  const startedAt = performance.now();
  let ended = false;
  let recorded: unknown;
  const end = (aborted: boolean) => {
    if (ended) return;
    ended = true;
    // 'finish' comes before the instrumentation ends the span (on 'close'): the route it names the span with.
    const route = hints.routeAtEnd?.() ?? rpc.route ?? hints.route;
    if (route && rpc.route === undefined) rpc.route = route;
    // Plain node:http has no route template: the span is named as isotel's middleware always named it.
    else if (!route && hints.pathAsName) span.updateName(`${info.method} ${info.path}`);
    if (!options.logRequests) return;
    const status = res.headersSent || !aborted ? res.statusCode : undefined;
    const durationMs = Math.round((performance.now() - startedAt) * 1000) / 1000;
    context.with(ctx, () => logCompletion(logger, info.method, route, info.path, status, durationMs, aborted));
  };
  res.once('finish', () => end(false));
  res.once('close', () => end(!res.writableFinished));
  return {
    span,
    context: ctx,
    correlationId,
    recordError(err) {
      if (recorded === err && err !== undefined) return;
      recorded = err;
      recordError(span, err);
    },
  };
}
