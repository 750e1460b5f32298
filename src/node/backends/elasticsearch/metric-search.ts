import type { MetricPoint } from '../../../shared/model.js';
import { MAX_SCAN_POINTS, type MetricFilter, type MetricPoints } from '../metric-search.js';
import { microsToIso } from '../trace-search.js';
import { UNTRACED_REQUEST, untraced } from './client.js';
import { classify, type Connection } from './connection.js';

/**
 * The metrics query's points (semantics in ../metric-search.ts) from the metrics data stream: a bool filter
 * (`name`, the `@timestamp` range, `attributes.<key>` terms on the flattened field, whose values are the scalar
 * text the other backends compare) and a scan sorted by `@timestamp` then `point_id`, in pages of PAGE hits
 * with `search_after` (the date_nanos sort value formatted as text: its nanosecond long does not fit a JSON
 * number), until MAX_SCAN_POINTS + 1 points. The point is rebuilt from isotel's own fields (`point`, not the
 * Collector's lossy `metrics.<name>`). Grouping and bucketing happen in metric-search.ts, as for every backend.
 */
const PAGE = 5000;

type Query = Record<string, unknown>;
interface Hit {
  _source?: unknown;
  sort?: unknown[];
}

export async function findMetrics(conn: Connection, dataStream: string, f: MetricFilter, max = MAX_SCAN_POINTS): Promise<MetricPoints> {
  const points: MetricPoint[] = [];
  let after: unknown[] | undefined;
  try {
    while (points.length <= max) {
      const request = { index: dataStream, ignore_unavailable: true, allow_no_indices: true, track_total_hits: false, ...metricSearchBody(f, Math.min(PAGE, max + 1 - points.length), after) };
      const response = await untraced(() => conn.client.search(request, { requestTimeout: conn.cfg.timeout * 1000, ...UNTRACED_REQUEST }));
      const hits = response.hits.hits as Hit[];
      for (const hit of hits) {
        const p = decodeMetric(hit._source);
        if (p) points.push(p);
        else conn.diag.count('elasticsearch.undecodable_documents');
      }
      if (hits.length < request.size) break;
      after = hits[hits.length - 1].sort;
    }
  } catch (err) {
    throw new Error(classify(conn, err).message);
  }
  return { points: points.slice(0, max), more: points.length > max };
}

/** The search body of one page. Exported for its unit test. */
export function metricSearchBody(f: MetricFilter, size: number, after?: unknown[]): { size: number; query: Query; sort: Query[]; search_after?: unknown[] } {
  // The upper bound takes the whole last microsecond: a point at .123456789 is at µs .123456, as elsewhere.
  const lte = `${microsToIso(f.endUs).slice(0, -1)}999Z`;
  const filter: Query[] = [{ term: { name: f.name } }, { range: { '@timestamp': { gte: microsToIso(f.startUs), lte } } }];
  for (const [key, value] of Object.entries(f.attributes)) filter.push({ term: { [`attributes.${key}`]: value } });
  const body: ReturnType<typeof metricSearchBody> = {
    size,
    query: { bool: { filter } },
    sort: [{ '@timestamp': { order: 'asc', format: 'strict_date_optional_time_nanos' } }, { point_id: { order: 'asc' } }],
  };
  if (after) body.search_after = after;
  return body;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A metric document (metric-documents.ts) back to the point's queried fields; undefined for another shape. */
export function decodeMetric(source: unknown): MetricPoint | undefined {
  if (!isObj(source)) return undefined;
  const { point_id, name, type, '@timestamp': time } = source;
  if (typeof point_id !== 'string' || typeof name !== 'string' || typeof type !== 'string' || typeof time !== 'string') return undefined;
  const resource = isObj(source.resource) && isObj(source.resource.attributes) ? source.resource.attributes : {};
  const service = resource['service.name'];
  const p: Record<string, unknown> = {
    point_id,
    name,
    type,
    time,
    attributes: isObj(source.attributes) ? source.attributes : {},
    resource: typeof service === 'string' ? { 'service.name': service } : {},
    scope: { name: '' },
  };
  if (typeof source.unit === 'string') p.unit = source.unit;
  if (typeof source.temporality === 'string') p.temporality = source.temporality;
  if (isObj(source.point)) for (const [k, v] of Object.entries(source.point)) if (v !== null && v !== undefined) p[k] = v;
  return p as unknown as MetricPoint;
}
