import type { ServerResponse } from 'node:http';
import type { Context, Span } from '@opentelemetry/api';
import { formatTraceparent } from '../../shared/trace-context.js';
import type { Logger } from '../logger.js';

/** One request's server span, as the framework adapters use it. */
export interface RequestTrace {
  readonly span: Span;
  /** The context the app's handler runs in: the span, and the correlation id for every record. */
  readonly context: Context;
  readonly correlationId: string;
  /** An error the app's handler threw: recorded as an exception event, span status ERROR. */
  recordError(err: unknown): void;
}

/** What a framework adapter knows about the request beyond node:http. */
export interface RequestHints {
  /** The URL to read path and query from (default `req.url`; Express: `req.originalUrl`). */
  url?: string;
  /** The route template, when routing happened before the request starts (Fastify). */
  route?: string;
  /** Reads the route template when the response ends (Express routes after the middleware runs). */
  routeAtEnd?: () => string | undefined;
  /** Without a route template, name the span `METHOD /path` (plain node:http) rather than `METHOD`. */
  pathAsName?: boolean;
}

/** `Server-Timing: traceparent` (the page's load span links to the server trace) and `x-correlation-id`. */
export function setResponseHeaders(res: ServerResponse, span: Span, correlationId: string): void {
  const timing = `traceparent;desc="${formatTraceparent(span.spanContext())}"`;
  const prior = res.getHeader('server-timing');
  res.setHeader('server-timing', prior === undefined ? timing : `${String(prior)}, ${timing}`);
  res.setHeader('x-correlation-id', correlationId);
}

/** The "request completed" record: INFO, WARN for 4xx and aborted requests, ERROR for 5xx. */
export function logCompletion(
  logger: Logger,
  method: string,
  route: string | undefined,
  path: string,
  status: number | undefined,
  durationMs: number,
  aborted: boolean,
): void {
  const attributes: Record<string, unknown> = { 'http.request.method': method, 'url.path': path, duration_ms: durationMs };
  if (route) attributes['http.route'] = route;
  if (status !== undefined) attributes['http.response.status_code'] = status;
  if (aborted) logger.warn('request aborted', attributes);
  else if (status !== undefined && status >= 500) logger.error('request completed', attributes);
  else if (status !== undefined && status >= 400) logger.warn('request completed', attributes);
  else logger.info('request completed', attributes);
}
