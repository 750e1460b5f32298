/**
 * `isotel/browser/metrics`: counters, histograms and gauges for the page. Measurements are aggregated in memory
 * for `exportIntervalMs` (and until the page hides), then each instrument's interval goes, as one OTLP metric in
 * delta temporality, into the telemetry's write-ahead queue: the same IndexedDB queue, sender and retries as the
 * logs, to the ingest's /v1/metrics. A separate entry point, so a page that does not import it pays nothing
 * for the meter itself. Never throws into the page: bad input gets one console warning per instrument and reason.
 */
import type { Attributes } from '../../shared/model.js';
import type { FlushResult, Telemetry } from '../types.js';
import { record, take, type Instrument, type InstrumentKind } from './aggregate.js';

export interface InstrumentOptions {
  unit?: string;
  description?: string;
  /** Histograms: explicit bucket boundaries, ascending (default: OpenTelemetry's, suited to milliseconds). */
  boundaries?: number[];
}
export interface Counter {
  /** Adds a non-negative finite value (default 1). */
  add(value?: number, attributes?: Attributes): void;
}
export interface Histogram {
  record(value: number, attributes?: Attributes): void;
}
export interface Gauge {
  record(value: number, attributes?: Attributes): void;
}
export interface BrowserMeter {
  counter(name: string, options?: InstrumentOptions): Counter;
  histogram(name: string, options?: InstrumentOptions): Histogram;
  gauge(name: string, options?: InstrumentOptions): Gauge;
  /** Queues what was recorded since the last interval, then flushes the telemetry. Never rejects. */
  flush(): Promise<FlushResult>;
  /**
   * Queues the last interval and stops the timer and listeners. Idempotent. `telemetry.shutdown()` calls it
   * first (so the last interval goes out in the telemetry's last flush).
   */
  shutdown(): void;
}
export interface MeterOptions {
  /** How often the recorded measurements are queued (default 10,000 ms). */
  exportIntervalMs?: number;
  /** Series per instrument and interval; measurements of further attribute sets are dropped (default 1,000). */
  maxSeries?: number;
}
export interface MeterDeps {
  win?: Pick<Window, 'addEventListener' | 'removeEventListener' | 'setTimeout' | 'clearTimeout'> & { document?: { visibilityState?: string } };
  now?: () => number;
  warn?: (message: string) => void;
}

const DEFAULT_BOUNDARIES = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
/** The OpenTelemetry instrument name syntax. */
const NAME = /^[A-Za-z][\w.\-/]{0,254}$/;

export function createMeter(telemetry: Telemetry, options: MeterOptions = {}, deps: MeterDeps = {}): BrowserMeter {
  const win = deps.win ?? (typeof window === 'undefined' ? undefined : window);
  const now = deps.now ?? Date.now;
  const warn = deps.warn ?? ((m: string) => console.warn(`isotel: ${m}`));
  const queueMetric = telemetry._metric;
  const interval = options.exportIntervalMs ?? 10_000;
  const maxSeries = options.maxSeries ?? 1000;
  const instruments = new Map<string, Instrument>();
  const once = warnOnce(warn);
  let start = now();
  let stopped = false;
  let timer: number | undefined;

  const collect = (): void => {
    const end = now();
    for (const inst of instruments.values()) {
      const m = take(inst, start, end);
      if (m && queueMetric) queueMetric(m);
    }
    start = end;
  };
  const arm = (): void => {
    if (win && !stopped) timer = win.setTimeout(tick, interval);
  };
  const tick = (): void => {
    collect();
    arm();
  };
  const onHide = (e: Event): void => {
    if (e.type === 'pagehide' || win?.document?.visibilityState === 'hidden') collect();
  };
  // Capture phase: runs before the telemetry's own page-hide listener, which beacons what is queued.
  win?.addEventListener('visibilitychange', onHide, true);
  win?.addEventListener('pagehide', onHide, true);
  arm();

  const state: MeterState = { enabled: queueMetric !== undefined, instruments, maxSeries, once, stopped: () => stopped };
  const instrument = (kind: InstrumentKind, name: string, o?: InstrumentOptions) => recorder(state, kind, name, o);

  const meter: BrowserMeter = {
    counter: (name, o) => {
      const rec = instrument('counter', name, o);
      return { add: (value = 1, attributes) => rec(value, attributes) };
    },
    histogram: (name, o) => ({ record: instrument('histogram', name, o) }),
    gauge: (name, o) => ({ record: instrument('gauge', name, o) }),
    flush: () => (stopped || collect(), telemetry.flush()),
    shutdown: () => {
      if (stopped) return;
      collect();
      stopped = true;
      if (timer !== undefined) win?.clearTimeout(timer);
      win?.removeEventListener('visibilitychange', onHide, true);
      win?.removeEventListener('pagehide', onHide, true);
    },
  };
  return stoppedWith(telemetry, meter, warn);
}

/**
 * Makes `telemetry.shutdown()` shut the meter down first: its last interval is queued before the telemetry's
 * last flush, and its timer and listeners stop. Done here, by wrapping the method, so that the core builds
 * carry nothing for it (a state check in the telemetry cost lite 2-4 B gzip; lite and full: npm run size).
 */
function stoppedWith(telemetry: Telemetry, meter: BrowserMeter, warn: (message: string) => void): BrowserMeter {
  const host = telemetry as { shutdown: Telemetry['shutdown'] };
  const own = host.shutdown;
  try {
    host.shutdown = () => {
      meter.shutdown();
      return own.call(telemetry);
    };
  } catch (err) {
    warn(`the meter cannot follow telemetry.shutdown() (${String(err)}): call meter.shutdown() too`);
  }
  return meter;
}

/** `warn`, at most once per key (an instrument and a reason). */
function warnOnce(warn: (message: string) => void): (key: string, message: string) => void {
  const warned = new Set<string>();
  return (key, message) => {
    if (warned.has(key)) return;
    warned.add(key);
    warn(message);
  };
}

interface MeterState {
  readonly enabled: boolean;
  readonly instruments: Map<string, Instrument>;
  readonly maxSeries: number;
  readonly once: (key: string, message: string) => void;
  readonly stopped: () => boolean;
}

/** The record function of an instrument: validates each measurement, then aggregates it; a no-op when disabled. */
function recorder(s: MeterState, kind: InstrumentKind, name: string, o: InstrumentOptions = {}): (value: number, attributes?: Attributes) => void {
  const { once } = s;
  if (!s.enabled || typeof name !== 'string' || !NAME.test(name)) {
    if (s.enabled) once(`name:${String(name)}`, `invalid instrument name ${JSON.stringify(name)}: its measurements are ignored`);
    return () => undefined;
  }
  const boundaries = kind === 'histogram' ? validBoundaries(o.boundaries, name, once) : [];
  let inst = s.instruments.get(name);
  if (inst === undefined) s.instruments.set(name, (inst = { kind, name, unit: o.unit, description: o.description, boundaries, series: new Map() }));
  else if (inst.kind !== kind) once(`kind:${name}`, `${name} is already a ${inst.kind}; the ${kind} of that name records into it`);
  const target = inst;
  return (value, attributes) => {
    if (s.stopped()) return once('stopped', 'meter used after shutdown (ignored)');
    if (typeof value !== 'number' || !Number.isFinite(value)) return once(`nan:${name}`, `${name}: ${String(value)} is not a finite number (ignored)`);
    if (target.kind === 'counter' && value < 0) return once(`neg:${name}`, `${name}: a counter cannot add ${value} (ignored)`);
    try {
      // Never into the page: attributes that cannot be keyed (a BigInt, a cycle, null) cost this measurement only.
      if (!record(target, value, attributes ?? {}, s.maxSeries)) once(`series:${name}`, `${name}: over ${s.maxSeries} series this interval; measurements of new attribute sets dropped`);
    } catch (err) {
      once(`attrs:${name}`, `${name}: attributes that cannot be recorded (${String(err)}); measurement ignored`);
    }
  };
}

function validBoundaries(b: number[] | undefined, name: string, once: (key: string, message: string) => void): number[] {
  if (b === undefined) return DEFAULT_BOUNDARIES;
  const ok = Array.isArray(b) && b.every((x, i) => typeof x === 'number' && Number.isFinite(x) && (i === 0 || x > b[i - 1]));
  if (ok) return b.slice();
  once(`bounds:${name}`, `${name}: boundaries must be finite and ascending; the default boundaries are used`);
  return DEFAULT_BOUNDARIES;
}
