import type { MetricFilter } from '../node/engine/index.js';
import type { Parsed } from './jaeger-params.js';
import { time as logTime } from './logs-params.js';

/**
 * GET /v1/metrics/query parameters (an unknown one is refused, so a misspelt filter is not silently ignored):
 *   name=NAME            required: the metric's name
 *   attr=KEY=VALUE       repeatable (each key once): a point attribute with that scalar value
 *   start=T, end=T       the point's time, inclusive: microseconds since the epoch or RFC 3339; default: the hour
 *                        before `end`, and `end` now
 *   step=D               the bucket width: a duration (500ms, 15s, 5m, 1h, 1d) or whole seconds; default 60s;
 *                        at most MAX_BUCKETS buckets over [start, end]
 *   limit=N              series, 1..1000, default 100
 * An error message names the parameter.
 */
export const DEFAULT_SERIES_LIMIT = 100;
export const MAX_SERIES_LIMIT = 1000;
/** The most buckets (points per series) a query may ask for: Prometheus's own limit for a range query. */
export const MAX_BUCKETS = 11_000;
const DEFAULT_STEP_MS = 60_000;
const DEFAULT_RANGE_US = 3_600_000_000;
const KNOWN = ['name', 'attr', 'start', 'end', 'step', 'limit'];
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });

function time(q: URLSearchParams, name: 'start' | 'end', fallback: number): Parsed<number> {
  const t = logTime(q, name);
  return t.ok ? ok(t.value ?? fallback) : t;
}

/** A step in milliseconds: `15s`, `500ms`, `5m`, `1h`, `1d`, or whole seconds. */
export function parseStep(v: string): number | undefined {
  const m = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(v);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNITS[m[2] ?? 's'];
  return ms >= 1 ? ms : undefined;
}

function attributes(q: URLSearchParams): Parsed<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const a of q.getAll('attr')) {
    const eq = a.indexOf('=');
    if (eq <= 0) return fail(`parameter 'attr': "${a}" is not KEY=VALUE`);
    const key = a.slice(0, eq);
    if (Object.hasOwn(out, key)) return fail(`parameter 'attr': the key "${key}" is given more than once`);
    out[key] = a.slice(eq + 1);
  }
  return ok(out);
}

function known(q: URLSearchParams): Parsed<void> {
  for (const name of new Set(q.keys())) {
    if (!KNOWN.includes(name)) return fail(`parameter '${name}' is unknown (known: ${KNOWN.join(', ')})`);
    if (name !== 'attr' && q.getAll(name).length > 1) return fail(`parameter '${name}' is given more than once`);
  }
  return ok(undefined);
}

/** The filter of a GET /v1/metrics/query; `nowUs` is the default end. */
export function parseMetricQuery(q: URLSearchParams, nowUs: number): Parsed<MetricFilter> {
  const once = known(q);
  if (!once.ok) return once;
  const name = q.get('name');
  if (!name) return fail(`parameter 'name' is required (the metric's name)`);
  const attrs = attributes(q);
  if (!attrs.ok) return attrs;
  const end = time(q, 'end', nowUs);
  if (!end.ok) return end;
  const start = time(q, 'start', Math.max(0, end.value - DEFAULT_RANGE_US));
  if (!start.ok) return start;
  if (end.value < start.value) return fail(`parameter 'end' is before 'start'`);
  const stepText = q.get('step');
  const stepMs = stepText === null || stepText === '' ? DEFAULT_STEP_MS : parseStep(stepText);
  if (stepMs === undefined) return fail(`parameter 'step': "${stepText}" is not a duration (500ms, 15s, 5m, 1h, 1d) or whole seconds`);
  const buckets = Math.floor(end.value / 1000 / stepMs) - Math.floor(start.value / 1000 / stepMs) + 1;
  if (buckets > MAX_BUCKETS) {
    return fail(`parameter 'step': ${stepText ?? `${DEFAULT_STEP_MS / 1000}s`} makes ${buckets} buckets from start to end, more than ${MAX_BUCKETS}: take a larger step or a shorter range`);
  }
  const limitText = q.get('limit');
  let limit = DEFAULT_SERIES_LIMIT;
  if (limitText !== null && limitText !== '') {
    if (!/^\d{1,7}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_SERIES_LIMIT) return fail(`parameter 'limit': "${limitText}" is not an integer from 1 to ${MAX_SERIES_LIMIT}`);
    limit = Number(limitText);
  }
  return ok({ name, attributes: attrs.value, startUs: start.value, endUs: end.value, stepMs, limit });
}
