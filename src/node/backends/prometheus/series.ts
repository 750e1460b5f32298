import { metricNumber, type Attributes, type MetricPoint } from '../../../shared/model.js';
import { prometheusUnitSuffix } from '../../metrics/prometheus-unit-names.js';

/** The Prometheus family a series belongs to: counter (monotonic sum), gauge (gauge, non-monotonic sum) or histogram. */
export type FamilyKind = 'counter' | 'gauge' | 'histogram';

/** One aggregated series: the latest value (cumulative: replaced; delta: accumulated) of a stream. */
export interface Series {
  /** The OTel name with its unit suffix (`http.server.request.duration` + `s` → `http.server.request.duration_seconds`). */
  family: string;
  kind: FamilyKind;
  description: string;
  unit: string;
  attributes: Attributes;
  /** `job` and `instance` from the resource (absent when the resource has no service.name / service.instance.id). */
  target: { job?: string; instance?: string };
  value: number;
  count: number;
  sum: number;
  bounds: number[];
  buckets: number[];
  /** When the series last received a point (ms since epoch, this process's clock), for expiry. */
  seen: number;
  /** The point's time (ms), for the exposition's start/end times. */
  time: number;
  /** The ids of the last delta points added (at most RECENT_IDS): a re-delivered point is not added twice. */
  recent: string[];
}

/** Delta point ids remembered per series: an engine re-delivery (a batch sent again after a crash) re-sends the last few. */
const RECENT_IDS = 16;

/** A resource that sent points: its job/instance labels and every other attribute (the `target_info` line). */
export interface Target {
  job?: string;
  instance?: string;
  info: Attributes;
  seen: number;
}

export interface SeriesStoreOptions {
  /** Series kept at most; a point that would start one more is refused with a reason. */
  maxSeries: number;
  /** A series that received nothing for this many ms is forgotten (0: never). */
  staleAfterMs: number;
  now?: () => number;
}

/**
 * Received metric points aggregated into Prometheus series, as the OpenTelemetry Prometheus compatibility spec
 * says: a cumulative sum or histogram replaces the series' value, a delta one is added to it (the series stays
 * cumulative), a gauge replaces; a non-monotonic sum is a gauge. Series identity: the metric name (with its unit
 * suffix), the point's attributes and the resource's job/instance. Exponential histograms and summaries are
 * refused with a reason (not supported by this sink).
 */
export class SeriesStore {
  readonly series = new Map<string, Series>();
  readonly targets = new Map<string, Target>();
  private readonly kinds = new Map<string, FamilyKind>();
  private readonly now: () => number;

  constructor(private readonly options: SeriesStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Aggregates one point; returns the reason when it is refused (nothing else changes then). */
  add(p: MetricPoint): string | undefined {
    const kind = kindOf(p);
    if (kind === undefined) return `${p.type} points are not supported by the prometheus backend (sums, gauges and histograms are); refused`;
    if (p.flags === 1) return undefined; // no recorded value: nothing to aggregate
    const family = familyName(p);
    const known = this.kinds.get(family);
    if (known !== undefined && known !== kind) return `metric ${family} is already a ${known} here; a ${kind} point of the same name is refused`;
    const target = targetOf(p.resource);
    const key = JSON.stringify([family, sortedEntries(p.attributes), target.job ?? null, target.instance ?? null]);
    const now = this.now();
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= this.options.maxSeries) return `series limit ${this.options.maxSeries} reached (max_series); point of a new series refused`;
      s = { family, kind, description: p.description ?? '', unit: p.unit ?? '', attributes: p.attributes, target, value: 0, count: 0, sum: 0, bounds: [], buckets: [], seen: now, time: 0, recent: [] };
      const reason = merge(s, p, true);
      if (reason) return reason;
      this.series.set(key, s);
      this.kinds.set(family, kind);
    } else {
      if (isReplay(s, p)) return undefined; // stored already: the sink is idempotent on the point id
      const reason = merge(s, p, false);
      if (reason) return reason;
    }
    if (isDelta(p)) s.recent = [...s.recent.slice(1 - RECENT_IDS), p.point_id];
    s.seen = now;
    s.time = Math.max(s.time, Date.parse(p.time) || 0);
    this.targets.set(JSON.stringify([target.job ?? null, target.instance ?? null]), { ...target, info: infoOf(p.resource), seen: now });
    return undefined;
  }

  /** Forgets series (and targets) that received nothing for `staleAfterMs`; returns how many series went. */
  expire(): number {
    if (this.options.staleAfterMs <= 0) return 0;
    const cutoff = this.now() - this.options.staleAfterMs;
    let n = 0;
    for (const [k, s] of this.series) if (s.seen < cutoff) (this.series.delete(k), n++);
    for (const [k, t] of this.targets) if (t.seen < cutoff) this.targets.delete(k);
    const live = new Set([...this.series.values()].map((s) => s.family));
    for (const f of this.kinds.keys()) if (!live.has(f)) this.kinds.delete(f);
    return n;
  }
}

function kindOf(p: MetricPoint): FamilyKind | undefined {
  if (p.type === 'gauge') return 'gauge';
  if (p.type === 'sum') return p.monotonic ? 'counter' : 'gauge';
  return p.type === 'histogram' ? 'histogram' : undefined;
}

/** The name with the spec's unit suffix (`_total` is the serializer's). */
export function familyName(p: Pick<MetricPoint, 'name' | 'unit' | 'type'>): string {
  const suffix = prometheusUnitSuffix(p.unit ?? '', p.type === 'gauge');
  if (suffix === '' || p.name.endsWith(`_${suffix}`) || p.name.endsWith(`.${suffix}`)) return p.name;
  return `${p.name}_${suffix}`;
}

const isDelta = (p: MetricPoint): boolean => p.temporality === 'delta' && p.type !== 'gauge';

/**
 * A point the series has already taken: a delta point whose id was among its last RECENT_IDS (added again it
 * would count twice), or a cumulative/gauge point older than the value shown (it would move the series back).
 */
function isReplay(s: Series, p: MetricPoint): boolean {
  if (isDelta(p)) return s.recent.includes(p.point_id);
  return (Date.parse(p.time) || 0) < s.time;
}

/** A delta sum (an up-down counter too) or histogram adds to the series, anything else replaces it. */
function merge(s: Series, p: MetricPoint, fresh: boolean): string | undefined {
  const delta = isDelta(p);
  if (s.kind !== 'histogram') {
    // The exposition is a float: an int64 beyond ±(2^53 - 1) is rounded to the nearest double here (README).
    const v = metricNumber(p.value ?? 0);
    s.value = delta && !fresh ? s.value + v : v;
    return undefined;
  }
  const bounds = p.explicit_bounds ?? [];
  const buckets = p.bucket_counts ?? [];
  if (!delta || fresh) {
    Object.assign(s, { bounds: [...bounds], buckets: [...buckets], count: p.count ?? 0, sum: p.sum ?? 0 });
    return undefined;
  }
  if (bounds.length !== s.bounds.length || bounds.some((b, i) => b !== s.bounds[i])) {
    return `delta histogram ${s.family} changed its bucket bounds (${JSON.stringify(s.bounds)} → ${JSON.stringify(bounds)}); refused`;
  }
  s.buckets = s.buckets.map((c, i) => c + (buckets[i] ?? 0));
  s.count += p.count ?? 0;
  s.sum += p.sum ?? 0;
  return undefined;
}

/** job = [service.namespace/]service.name, instance = service.instance.id (the compatibility spec's mapping). */
export function targetOf(resource: Attributes): { job?: string; instance?: string } {
  const name = resource['service.name'];
  const ns = resource['service.namespace'];
  const id = resource['service.instance.id'];
  const out: { job?: string; instance?: string } = {};
  if (name !== undefined) out.job = ns !== undefined ? `${String(ns)}/${String(name)}` : String(name);
  if (id !== undefined) out.instance = String(id);
  return out;
}

const TARGET_KEYS = new Set(['service.name', 'service.namespace', 'service.instance.id']);

function infoOf(resource: Attributes): Attributes {
  return Object.fromEntries(Object.entries(resource).filter(([k]) => !TARGET_KEYS.has(k)));
}

function sortedEntries(a: Attributes): Array<[string, unknown]> {
  return Object.entries(a).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}
