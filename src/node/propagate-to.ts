import {
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
  type TextMapPropagator,
  type TextMapSetter,
  type Tracer,
  type TracerOptions,
  type TracerProvider,
} from '@opentelemetry/api';

/**
 * `logger.tracing.propagate_to`: the destinations whose outgoing requests carry `traceparent`, `tracestate`
 * and `baggage`. Client spans are recorded for every destination; only the headers are withheld.
 *
 * How it is enforced, and why this way: the http and undici instrumentations both start the CLIENT span with
 * the destination in its start attributes (`url.full`, `server.address`, `server.port`), then call the global
 * propagator with a context holding exactly that span. So the tracer provider handed to the instrumentations
 * is wrapped to remember (in a WeakSet, by span object) every CLIENT span whose destination is not allowed,
 * and the global propagator is wrapped to inject nothing for a context whose span is one of them. This reads
 * the start attributes, not the recorded span, so it holds for spans the sampler drops too (those still
 * propagate a sampled=0 traceparent to allowed destinations), and it does not depend on hook order (undici
 * injects after its requestHook, so a hook cannot remove the headers there).
 */
export interface PropagateTo {
  /** Whether a request to this destination may carry trace headers. */
  allows(destination: Destination): boolean;
  /** The provider to give the instrumentations: CLIENT spans to other destinations are marked. */
  wrapTracerProvider(inner: TracerProvider): TracerProvider;
  /** The propagator to register globally: injects nothing into requests of marked spans. */
  wrapPropagator(inner: TextMapPropagator): TextMapPropagator;
  /** Replaces the allow-list (a configuration reload): requests started from now on follow the new one. */
  update(patterns: readonly string[]): void;
}

export interface Destination {
  /** `http` or `https` when known. */
  scheme?: string;
  /** A host name or IP address (IPv6 with or without brackets). */
  host: string;
  port?: number;
}

type Matcher = (d: Destination) => boolean;

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

/** Compiles the allow-list once (it was validated by the config schema); `*` allows every destination. */
export function createPropagateTo(patterns: readonly string[]): PropagateTo {
  let matchers = patterns.map(compilePattern);
  const allows = (d: Destination) => matchers.some((m) => m(d));
  const denied = new WeakSet<Span>();

  const wrapTracer = (inner: Tracer): Tracer => ({
    startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
      const span = inner.startSpan(name, options, ctx);
      if (options?.kind === SpanKind.CLIENT) {
        const d = destinationOf(options.attributes);
        if (d !== undefined && !allows(d)) denied.add(span);
      }
      return span;
    },
    // Spans the instrumentations start through startActiveSpan are not outgoing requests: passed through.
    startActiveSpan: inner.startActiveSpan.bind(inner) as Tracer['startActiveSpan'],
  });

  return {
    allows,
    update(next) {
      matchers = next.map(compilePattern);
    },
    wrapTracerProvider: (inner) => ({
      getTracer: (name: string, version?: string, options?: TracerOptions) => wrapTracer(inner.getTracer(name, version, options)),
    }),
    wrapPropagator: (inner) => ({
      inject(ctx: Context, carrier: unknown, setter: TextMapSetter) {
        const span = trace.getSpan(ctx);
        if (span !== undefined && denied.has(span)) return;
        inner.inject(ctx, carrier, setter);
      },
      extract: (ctx, carrier, getter) => inner.extract(ctx, carrier, getter),
      fields: () => inner.fields(),
    }),
  };
}

/** The destination in a client span's start attributes: `url.full`, else `server.address` (+ port, scheme). */
export function destinationOf(attributes: Attributes | undefined): Destination | undefined {
  if (!attributes) return undefined;
  const full = attributes['url.full'];
  if (typeof full === 'string') {
    try {
      const u = new URL(full);
      const scheme = u.protocol.slice(0, -1);
      return { scheme, host: u.hostname, port: u.port ? Number(u.port) : DEFAULT_PORTS[scheme] };
    } catch {
      // not a URL: fall back to server.address
    }
  }
  const host = attributes['server.address'];
  if (typeof host !== 'string' || host === '') return undefined;
  const port = attributes['server.port'];
  const scheme = attributes['url.scheme'];
  return { host, port: typeof port === 'number' ? port : undefined, scheme: typeof scheme === 'string' ? scheme : undefined };
}

function normalizeHost(host: string): string {
  return host.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
}

/** One allow-list entry: `*`, an origin (`https://api.example.com:8443`), a host or `*.domain`, with optional port. */
export function compilePattern(pattern: string): Matcher {
  if (pattern === '*') return () => true;
  let scheme: string | undefined;
  let rest = pattern;
  const origin = /^(https?):\/\/(.+)$/.exec(pattern);
  if (origin) {
    scheme = origin[1];
    rest = origin[2];
  }
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(rest);
  if (!m) return () => false;
  const wantPort = m[2] !== undefined ? Number(m[2]) : scheme ? DEFAULT_PORTS[scheme] : undefined;
  const host = normalizeHost(m[1]);
  const wildcard = host.startsWith('*.') ? host.slice(1) : undefined; // `.example.com`
  return (d) => {
    const h = normalizeHost(d.host);
    if (wildcard ? !h.endsWith(wildcard) : h !== host) return false;
    if (scheme !== undefined && d.scheme !== undefined && d.scheme !== scheme) return false;
    if (wantPort === undefined) return true;
    const port = d.port ?? (d.scheme ? DEFAULT_PORTS[d.scheme] : undefined);
    return port === wantPort;
  };
}
