/**
 * Tracing for the full build: sdk-trace-web's BasicTracerProvider with a parent-based ratio sampler,
 * ZoneContextManager (context follows zone.js across timers, promises and events), and the in-house fetch
 * and XHR instrumentation (http/), which puts traceparent/tracestate (core's W3C trace-context propagator)
 * on requests to the page's origin and the allowed CORS URLs and never traces the SDK's own requests to
 * the ingest. Ended, sampled spans go to the queue in OTLP form.
 */
import { context, TraceFlags, trace } from '@opentelemetry/api';
import { ZoneContextManager } from '@opentelemetry/context-zone';
import { BasicTracerProvider, ParentBasedSampler, type SpanProcessor, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-web';
import { safe } from '../env.js';
import type { TracingContext } from '../initialize.js';
import { recordDocumentLoad } from './document-load.js';
import { clientSpans } from './http/client-span.js';
import { instrumentFetch } from './http/fetch.js';
import { instrumentXhr } from './http/xhr.js';
import { toOtlpSpan } from './otlp-span.js';

export interface Tracing {
  shutdown(): Promise<void>;
}

export function setupTracing(o: TracingContext): Tracing {
  const processor: SpanProcessor = {
    onStart(span) {
      span.setAttribute('session.id', o.sessionId);
    },
    onEnd(span) {
      if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
      try {
        o.push(toOtlpSpan(span, o.resource, o.scope));
      } catch (err) {
        o.diag.warn('converting a span failed', err);
        o.diag.count('span.failed');
      }
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(o.options.sampleRate) }),
    spanProcessors: [processor],
  });
  // A page has one global tracer provider: if one is there already (init called twice, or the app set up
  // OpenTelemetry itself), leave it alone rather than patch fetch and XHR a second time.
  if (!trace.setGlobalTracerProvider(provider)) {
    o.diag.warn('another OpenTelemetry tracer provider is registered on this page: isotel tracing is off');
    return { shutdown: () => provider.shutdown() };
  }
  // What WebTracerProvider.register() does, without its class, and without a global propagator: the
  // instrumentation injects with the W3C propagator itself (client-span.ts). Registering one, as
  // register() does (W3C trace context and baggage), costs 1.4 KB gzipped: any use of the API's
  // `propagation` object brings in its baggage code.
  context.setGlobalContextManager(new ZoneContextManager().enable());

  // Our own sends (the OTLP routes) must not become spans: only those, since the endpoint may be the page's own origin, whose API calls must be traced.
  const ownSends = [`${o.options.endpoint}/v1/logs`, `${o.options.endpoint}/v1/traces`];
  const win = o.win;
  const tracer = provider.getTracer(o.scope.name, o.scope.version);
  const start = clientSpans({
    tracer,
    base: () => safe(() => win.document?.baseURI ?? win.location?.href),
    origin: safe(() => win.location?.origin),
    propagateTo: o.options.propagateTraceHeaderCorsUrls,
    ignore: (url) => ownSends.some((route) => url === route || url.startsWith(`${route}?`)),
  });
  const unpatch = [instrumentFetch(win, start, o.diag), instrumentXhr(safe(() => win.XMLHttpRequest?.prototype), start, o.diag)];
  const stopDocumentLoad = o.options.instrumentDocumentLoad ? recordDocumentLoad(tracer, win, o.pageUrl, (fn) => setTimeout(fn, 0)) : undefined;

  return {
    async shutdown() {
      stopDocumentLoad?.();
      for (const undo of unpatch) undo();
      // Ends what is buffered in the SDK (nothing: our processor is synchronous), then frees the globals
      // so a later init can register again.
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}
