import { timeRange } from './format.js';
import { parseTagLines } from './tags.js';

/** The logs page's route fields (`limit`, the page size, only in the route: 50 unless given), and the GET /api/logs parameters they stand for. */
export const LOG_FIELDS = ['service', 'severity_min', 'severity_max', 'lookback', 'from', 'to', 'trace_id', 'attr', 'q', 'limit'] as const;
export type LogValues = Record<(typeof LOG_FIELDS)[number], string>;

export function logValues(query: URLSearchParams): LogValues {
  const v = Object.fromEntries(LOG_FIELDS.map((f) => [f, query.get(f) ?? ''])) as LogValues;
  return { ...v, lookback: v.lookback || '1h', limit: /^\d{1,4}$/.test(v.limit) ? v.limit : '50' };
}

/** The API parameters; `attr` lines (key=value) become attr.KEY=VALUE; lookback `all` sets no time bound. */
export function logsApiParams(v: LogValues, nowUs: number, cursor?: string): URLSearchParams {
  const p = new URLSearchParams({ limit: v.limit || '50' });
  for (const f of ['service', 'severity_min', 'severity_max', 'trace_id', 'q'] as const) if (v[f]) p.set(f, v[f]);
  const attrs = parseTagLines(v.attr);
  if (attrs.ok) for (const [k, val] of Object.entries(attrs.tags)) p.set(`attr.${k}`, val);
  if (v.lookback !== 'all') {
    const r = timeRange(v.lookback, v.from, v.to, nowUs);
    if (r.start !== undefined) p.set('start', String(Math.floor(r.start)));
    if (r.end !== undefined) p.set('end', String(Math.floor(r.end)));
  }
  if (cursor) p.set('cursor', cursor);
  return p;
}
