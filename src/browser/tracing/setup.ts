/**
 * Tracing for `isotel/browser` and `/zone`: isotel's tracer (sdk/tracer.ts: parent-based ratio sampling), the entry's context manager (zone-free: a synchronous stack with withSpan's promise scopes,
 * context/promise-scope.ts; zone: zone.js), the span API (span-api.ts), and the in-house fetch
 * and XHR instrumentation (http/), which puts traceparent/tracestate (sdk/w3c.ts)
 * on requests to the page's origin and the allowed CORS URLs and never traces the SDK's own requests to
 * the ingest. Ended, sampled spans go to the queue in OTLP form.
 */
import { context, type ContextManager, trace, type Tracer } from '@opentelemetry/api';
import { safe } from '../env.js';
import type { TracingContext } from '../initialize.js';
import type { SpanApi } from '../types.js';
import { recordDocumentLoad } from './document-load.js';
import { clientSpans } from './http/client-span.js';
import { httpSpanNamer } from './http/span-name.js';
import type { Instrumentation } from './interactions.js';
import { instrumentFetch } from './http/fetch.js';
import { instrumentXhr } from './http/xhr.js';
import { toOtlpSpan } from './otlp-span.js';
import { createTracerProvider, type SpanHooks } from './sdk/tracer.js';
import { createSpanApi } from './span-api.js';
import { observeWebVitals } from '../vitals/web-vitals.js';
import { observePageTimings } from '../vitals/long-frames.js';

export interface Tracing {
  spans: SpanApi;
  shutdown(): Promise<void>;
}

/** Ended, sampled spans go to the queue in OTLP form; every span gets the session id. `hooks`: the entry's extra instrumentation. */
function queueProcessor(o: TracingContext, hooks: () => Instrumentation | undefined): SpanHooks {
  return {
    onStart(span) {
      span.setAttribute('session.id', o.session.id());
      const prev = o.session.previousId!();
      if (prev) span.setAttribute('session.previous_id', prev);
      hooks()?.onStart(span);
    },
    onEnd(span) {
      hooks()?.onEnd(span);
      try {
        o.push(toOtlpSpan(span, o.resource, o.scope));
      } catch (err) {
        o.diag.warn('B22' /* converting a span failed */, err);
        o.diag.count('span.failed');
      }
    },
  };
}

/** What an entry adds (the zone-free one: clicks and route changes, interactions.ts). */
export type Instrument = (tracer: Tracer, o: TracingContext) => Instrumentation;

/**
 * `makeContext`: the entry's context manager (zone-free or zone.js), made only once tracing starts;
 * `instrument`: the entry's own instrumentation, if any.
 */
export function setupTracing(o: TracingContext, makeContext: (diag: TracingContext['diag']) => ContextManager, instrument?: Instrument): Tracing {
  // Web vitals are events (log records), whatever happens to tracing below.
  const vitals = observeWebVitals(o.win, o.event);
  const stopTimings = observePageTimings(o.win, o.event, (url) => url.startsWith(`${o.options.endpoint}/`));
  let extra: Instrumentation | undefined;
  const processor = queueProcessor(o, () => extra);
  const provider = createTracerProvider(() => o.session.sampled!(), processor);
  // A page has one global tracer provider: if one is there already (init called twice, or the app set up
  // OpenTelemetry itself), leave it alone rather than patch fetch and XHR a second time.
  const tracer = provider.getTracer(o.scope.name, o.scope.version);
  if (!trace.setGlobalTracerProvider(provider)) {
    o.diag.warn('B23' /* another OpenTelemetry tracer provider is registered on this page: isotel tracing is off */);
    // The app's own spans still reach the queue, in the context of whatever manager is registered.
    vitals.navigation(undefined);
    return { spans: createSpanApi(() => tracer, o.diag), shutdown: () => (vitals.stop(), stopTimings(), provider.shutdown()) };
  }
  // What WebTracerProvider.register() does, without a global propagator: the instrumentation injects the
  // W3C headers itself (client-span.ts). Registering one, as register() does (W3C trace context and
  // baggage), costs 1.4 KB gzipped: any use of the API's `propagation` object brings in its baggage code.
  context.setGlobalContextManager(makeContext(o.diag).enable());

  // Our own sends (the OTLP routes) must not become spans: only those, since the endpoint may be the page's own origin, whose API calls must be traced.
  const ownSends = [`${o.options.endpoint}/v1/logs`, `${o.options.endpoint}/v1/traces`];
  const win = o.win;
  const start = clientSpans({
    tracer,
    base: () => safe(() => win.document?.baseURI ?? win.location?.href),
    origin: safe(() => win.location?.origin),
    propagateTo: o.options.propagateTraceHeaderCorsUrls,
    ignore: (url) => ownSends.some((route) => url === route || url.startsWith(`${route}?`)),
    name: httpSpanNamer(o.options.httpSpanName, o.diag),
  });
  const unpatch = [instrumentFetch(win, start, o.diag), instrumentXhr(safe(() => win.XMLHttpRequest?.prototype), start, o.diag)];
  const stopDocumentLoad = o.options.instrumentDocumentLoad
    ? recordDocumentLoad(tracer, win, o.page.url(), (fn) => setTimeout(fn, 0), (span) => vitals.navigation(span))
    : vitals.navigation(undefined);
  extra = instrument?.(tracer, o);

  return {
    spans: createSpanApi(() => tracer, o.diag),
    async shutdown() {
      stopDocumentLoad?.();
      vitals.stop();
      stopTimings();
      extra?.stop();
      for (const undo of unpatch) undo();
      // Spans still running end without reaching the queue; the globals are freed so a later init can register again.
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}
