import { context, trace, TraceFlags, type Attributes as ApiAttributes, type Context, type Histogram, type Meter, type MeterOptions, type MeterProvider } from '@opentelemetry/api';
import type { Exemplar, MetricPoint } from '../../shared/model.js';
import { msToIso } from '../../shared/time.js';
import { attributeSetKey } from './attribute-hash.js';

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
  /** instrument id → attribute set's hash → [the most recent, the largest] */
  private series = new Map<string, Map<string, Sample[]>>();
  private size = 0;
  /**
   * The attribute set's key, memoized (attribute-hash.ts; the trie sdk-metrics' hashing uses): the same string
   * instance for the same set, so the map lookup hashes no new string. The store's cost per record inside a span,
   * 5 attributes in a new object each call: 900 → 260 ns (bench/metrics/attribute-hash.mts; JSON of sorted pairs
   * without a memo: 4.5-5.5 µs; concatenated short ids: 1.6-1.9, the code before this).
   */
  private readonly setKey = attributeSetKey();

  constructor(private readonly maxSeries: number) {}

  /** The id of a histogram, computed once per histogram and passed to offer(). */
  instrument(scope: string, version: string | undefined, name: string): string {
    return JSON.stringify([scope, version ?? '', name]);
  }

  offer(instrument: string, attributes: ApiAttributes | undefined, value: number, ctx: Context | undefined): void {
    const span = trace.getSpan(ctx ?? context.active());
    if (span === undefined) return;
    const sc = span.spanContext();
    if ((sc.traceFlags & TraceFlags.SAMPLED) === 0) return;
    const key = this.setKey(attributes ?? {});
    // The time stays a number until a collection takes the exemplar (msToIso on every record, as before).
    const e: Sample = { timeMs: Date.now(), value, traceId: sc.traceId, spanId: sc.spanId };
    let ofInstrument = this.series.get(instrument);
    const kept = ofInstrument?.get(key);
    if (kept === undefined) {
      if (this.size >= this.maxSeries) return;
      if (ofInstrument === undefined) this.series.set(instrument, (ofInstrument = new Map()));
      ofInstrument.set(key, [e]);
      this.size++;
      return;
    }
    // [0] the most recent, [1] the largest (when it is another measurement)
    const largest = kept.length > 1 ? kept[1] : kept[0];
    kept.length = 0;
    kept.push(e);
    if (largest.value > value) kept.push(largest);
  }

  /** Puts each histogram point's exemplars on it and forgets them (each collection starts anew). */
  attach(points: MetricPoint[]): void {
    if (this.size === 0) return;
    for (const p of points) {
      if (p.type !== 'histogram' && p.type !== 'exponential_histogram') continue;
      const kept = this.series.get(this.instrument(p.scope.name, p.scope.version, p.name))?.get(this.setKey(p.attributes));
      if (kept !== undefined && p.exemplars === undefined) p.exemplars = kept.map(toExemplar);
    }
    this.series.clear();
    this.size = 0;
  }
}

interface Sample {
  timeMs: number;
  value: number;
  traceId: string;
  spanId: string;
}

function toExemplar(s: Sample): Exemplar {
  return { time: msToIso(s.timeMs), value: s.value, trace_id: s.traceId, span_id: s.spanId, filtered_attributes: {} };
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
            const instrument = store.instrument(name, version, args[0]);
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
