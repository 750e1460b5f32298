import { context, trace, TraceFlags, type Attributes as ApiAttributes, type Context, type Histogram, type Meter, type MeterOptions, type MeterProvider } from '@opentelemetry/api';
import { metricNumber, type Exemplar, type MetricPoint } from '../../shared/model.js';
import { msToIso } from '../../shared/time.js';

/**
 * Exemplars for histogram points, which the pinned `@opentelemetry/sdk-metrics` (2.12.0) does not produce: its
 * `exemplar/` filters and reservoirs are in the package but referenced by no aggregator, not exported, and its
 * data points have no exemplars field (nor does otlp-transformer write any). So isotel offers them beside it:
 * a histogram's `record()` made inside a sampled span (the OpenTelemetry "trace-based" exemplar filter) keeps,
 * per series and collection, the most recent and the largest measurement with that span's trace and span id,
 * and the engine exporter puts them on the series' point. A series a view re-aggregates under other attributes
 * gets none. Outside a sampled span a record costs one extra lookup of the active span.
 */
export class ExemplarStore {
  private series = new Map<string, Exemplar[]>();

  constructor(private readonly maxSeries: number) {}

  offer(instrument: readonly [scope: string, version: string | undefined, name: string], attributes: ApiAttributes | undefined, value: number, ctx: Context | undefined): void {
    const span = trace.getSpan(ctx ?? context.active());
    if (span === undefined) return;
    const sc = span.spanContext();
    if ((sc.traceFlags & TraceFlags.SAMPLED) === 0) return;
    const key = seriesKey(instrument[0], instrument[1], instrument[2], attributes);
    const e: Exemplar = { time: msToIso(Date.now()), value, trace_id: sc.traceId, span_id: sc.spanId, filtered_attributes: {} };
    const kept = this.series.get(key);
    if (kept === undefined) {
      if (this.series.size < this.maxSeries) this.series.set(key, [e]);
      return;
    }
    // [0] the most recent, [1] the largest (when it is another measurement)
    const largest = kept.length > 1 ? kept[1] : kept[0];
    kept.length = 0;
    kept.push(e);
    if (metricNumber(largest.value) > value) kept.push(largest);
  }

  /** Puts each histogram point's exemplars on it and forgets them (each collection starts anew). */
  attach(points: MetricPoint[]): void {
    if (this.series.size === 0) return;
    for (const p of points) {
      if (p.type !== 'histogram' && p.type !== 'exponential_histogram') continue;
      const kept = this.series.get(seriesKey(p.scope.name, p.scope.version, p.name, p.attributes));
      if (kept !== undefined && p.exemplars === undefined) p.exemplars = kept.slice();
    }
    this.series.clear();
  }
}

function seriesKey(scope: string, version: string | undefined, name: string, attributes: Readonly<Record<string, unknown>> | undefined): string {
  const attrs = attributes ?? {};
  const sorted = Object.keys(attrs)
    .sort()
    .map((k) => [k, attrs[k]]);
  return JSON.stringify([scope, version ?? '', name, sorted]);
}

/** `provider`, whose meters' histograms also offer each measurement to `store`. */
export function withExemplars(provider: MeterProvider, store: ExemplarStore): MeterProvider {
  return {
    getMeter(name: string, version?: string, options?: MeterOptions): Meter {
      const meter = provider.getMeter(name, version, options);
      return new Proxy(meter, {
        get(target, prop, receiver) {
          if (prop !== 'createHistogram') return Reflect.get(target, prop, receiver) as unknown;
          return (...args: Parameters<Meter['createHistogram']>): Histogram => {
            const histogram = target.createHistogram(...args);
            const instrument = [name, version, args[0]] as const;
            return {
              record(value: number, attributes?: ApiAttributes, ctx?: Context) {
                store.offer(instrument, attributes, value, ctx);
                histogram.record(value, attributes, ctx);
              },
            };
          };
        },
      });
    },
  };
}
