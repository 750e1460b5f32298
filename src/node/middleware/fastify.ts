import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import type { Logger } from '../logger.js';
import { resolveOptions, type HttpInstrumentationOptions } from './options.js';
import { instrumentRequest, countFailure, type RequestTrace } from './http.js';

// Structural types: isotel does not import fastify at runtime (it is the host app's dependency).
export interface FastifyRequestLike {
  raw: IncomingMessage;
  /** Fastify >= 4.10: the matched route; `url` is its template (`/users/:id`). */
  routeOptions?: { url?: string };
  /** Older Fastify 4. */
  routerPath?: string;
  correlationId?: string;
}

export interface FastifyReplyLike {
  raw: ServerResponse;
}

export type FastifyDone = (err?: Error) => void;

export interface FastifyInstanceLike {
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: FastifyDone) => void): unknown;
  addHook(name: 'onError', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, error: Error, done: FastifyDone) => void): unknown;
  hasRequestDecorator?(name: string): boolean;
  decorateRequest?(name: string, value: string): unknown;
}

export interface FastifyPlugin {
  (instance: FastifyInstanceLike, opts: unknown, done: FastifyDone): void;
  /** What fastify-plugin sets: the hooks apply to the whole app, not only inside this plugin's scope. */
  [key: symbol]: unknown;
}

/**
 * Fastify 4/5: `await app.register(fastifyPlugin(logger))`. An `onRequest` hook starts the server span
 * (named after the route template, `request.routeOptions.url`) and runs the rest of the request (body
 * parsing, later hooks, the handler) inside its context; `onError` records the handler's error on the span.
 * The span ends on the raw response's 'finish' or 'close', which also covers aborted requests that never
 * reach `onResponse`. `request.correlationId` holds the correlation id.
 */
export function fastifyPlugin(logger: Logger, options?: HttpInstrumentationOptions): FastifyPlugin {
  const resolved = resolveOptions(options, 'fastifyPlugin');
  const traces = new WeakMap<FastifyRequestLike, RequestTrace>();

  const register = (instance: FastifyInstanceLike, _opts: unknown, done: FastifyDone): void => {
    try {
      // A declared decorator keeps request objects one shape (Fastify's advice for hot-path properties).
      if (instance.decorateRequest && !instance.hasRequestDecorator?.('correlationId')) instance.decorateRequest('correlationId', '');
      instance.addHook('onRequest', (request, reply, next) => {
        const route = request.routeOptions?.url ?? request.routerPath;
        const t = instrumentRequest(logger, request.raw, reply.raw, resolved, { route: route || undefined });
        if (t === undefined) {
          next();
          return;
        }
        request.correlationId = t.correlationId;
        traces.set(request, t);
        context.with(t.context, next);
      });
      instance.addHook('onError', (request, _reply, error, next) => {
        traces.get(request)?.recordError(error);
        next();
      });
    } catch (err) {
      // Registration itself failed (an unexpected Fastify): the app runs untraced rather than not at all.
      countFailure(logger, err);
    }
    done();
  };
  return Object.assign(register, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'isotel',
    [Symbol.for('plugin-meta')]: { name: 'isotel' },
  });
}
