/**
 * CLIENT spans for the page's HTTP calls, shared by the fetch and XHR instrumentations: the span with its
 * HTTP semantic-convention attributes, the W3C trace headers (only to the page's origin and the allowed
 * URLs), and how it ends. The SDK's own sends are never traced. The headers are injected directly
 * (../sdk/w3c.ts) rather than through the API's global `propagation`, whose baggage code would cost
 * 0.6 KB gzipped (isotel registers no global propagator).
 */
import { type Attributes, type Context, context, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { injectTraceContext } from '../sdk/w3c.js';
import type { CorsUrlMatcher } from '../../types.js';
import type { NameHttpSpan } from './span-name.js';

export interface ClientSpanOptions {
  tracer: Tracer;
  /** The URL relative request URLs resolve against (the document's base URL). */
  base: () => string | undefined;
  /** The page's origin: requests to it carry trace headers. */
  origin: string | undefined;
  /** Other URLs whose requests carry trace headers: a string is compared with the whole URL. */
  propagateTo: CorsUrlMatcher[];
  /** URLs never traced (the SDK's own sends). */
  ignore: (url: string) => boolean;
  /** The span's name and `url.template` (span-name.ts). */
  name: NameHttpSpan;
}

export type HeaderSetter = (name: string, value: string) => void;

export interface ClientRequest {
  /** The context to make the request in: the span is its active span. */
  ctx: Context;
  /** Puts traceparent (and tracestate) on the request through `set`, when its URL allows it. */
  inject(set: HeaderSetter): void;
  /** Ends the span (once): with the response status, or with the error type of a failed request. */
  end(status?: number, errorType?: string): void;
}

/** Starts the span of a request; undefined when the request is not traced (ignored, or not a URL). */
export type StartClientSpan = (method: unknown, url: string) => ClientRequest | undefined;

// The methods the HTTP semantic conventions know; any other is recorded as _OTHER with the original.
const METHODS = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE', 'QUERY'];
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

// As @opentelemetry/web-common did: a string is the whole URL; match(), not test(), so a /g regex has no state.
const matches = (url: string, m: CorsUrlMatcher): boolean => (typeof m === 'string' ? url === m : url.match(m) !== null);

export function clientSpans(o: ClientSpanOptions): StartClientSpan {
  return (rawMethod, rawUrl) => {
    let url: URL;
    try {
      url = new URL(rawUrl, o.base());
    } catch {
      return undefined; // not a URL: the request fails on its own, untraced
    }
    const href = url.href;
    if (o.ignore(href)) return undefined;
    const method = rawMethod === undefined || rawMethod === null ? 'GET' : String(rawMethod);
    const upper = method.toUpperCase();
    const name = METHODS.includes(upper) ? upper : '_OTHER';
    const naming = o.name(name, url);
    const attributes: Attributes = { 'http.request.method': name, 'url.full': href, 'url.template': naming.template, 'server.address': url.hostname };
    if (name !== method) attributes['http.request.method_original'] = method;
    const port = Number(url.port) || DEFAULT_PORTS[url.protocol];
    if (port) attributes['server.port'] = port;
    const span = o.tracer.startSpan(naming.name, { kind: SpanKind.CLIENT, attributes });
    const ctx = trace.setSpan(context.active(), span);
    const propagate = url.origin === o.origin || o.propagateTo.some((m) => matches(href, m));
    let ended = false;
    return {
      ctx,
      inject(set) {
        if (propagate) injectTraceContext(ctx, set);
      },
      end(status, errorType) {
        if (ended) return;
        ended = true;
        if (status) span.setAttribute('http.response.status_code', status);
        const error = errorType ?? (status && status >= 400 ? String(status) : undefined);
        if (error) {
          span.setAttribute('error.type', error);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      },
    };
  };
}
