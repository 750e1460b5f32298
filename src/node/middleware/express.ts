import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import type { Logger } from '../logger.js';
import { resolveOptions, type HttpInstrumentationOptions } from './options.js';
import { instrumentRequest } from './http.js';

// Structural types: isotel does not import express at runtime (it is the host app's dependency).
export interface ExpressRequestLike extends IncomingMessage {
  originalUrl?: string;
  baseUrl?: string;
  /** Set by the router once a route matched. */
  route?: { path?: unknown };
  correlationId?: string;
}

export interface ExpressResponseLike extends ServerResponse {
  locals?: Record<string, unknown>;
}

export type ExpressMiddleware = (req: ExpressRequestLike, res: ExpressResponseLike, next: (err?: unknown) => void) => void;

/**
 * Express 4/5: `app.use(expressMiddleware(logger, { ignorePaths: ['/health'] }))`, before the routes (and
 * before body parsers, so their callbacks run in the request's context too). Every later middleware and
 * handler runs inside the server span; `req.correlationId` and `res.locals.correlationId` hold the request's
 * correlation id. Express matches the route after this middleware has run, so the span is named (and
 * `http.route` set) from `req.baseUrl + req.route.path` when the response ends; unmatched requests keep
 * the method as their name (OTel semconv: never the raw path, which has unbounded cardinality).
 *
 * Errors thrown by handlers go to Express's error handlers, not through here: they show on the span as
 * status ERROR through the 5xx status they produce.
 */
export function expressMiddleware(logger: Logger, options?: HttpInstrumentationOptions): ExpressMiddleware {
  const resolved = resolveOptions(options, 'expressMiddleware');
  return function isotelExpressMiddleware(req, res, next): void {
    const t = instrumentRequest(logger, req, res, resolved, {
      url: typeof req.originalUrl === 'string' ? req.originalUrl : req.url,
      routeAtEnd: () => expressRoute(req),
    });
    if (t === undefined) {
      next();
      return;
    }
    if (res.locals !== null && typeof res.locals === 'object') res.locals.correlationId = t.correlationId;
    context.with(t.context, next);
  };
}

function expressRoute(req: ExpressRequestLike): string | undefined {
  const path = req.route?.path;
  let template: string;
  if (typeof path === 'string') template = path;
  else if (path instanceof RegExp) template = String(path);
  else if (Array.isArray(path)) template = path.map(String).join(',');
  else return undefined;
  const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  return base + template || '/';
}
