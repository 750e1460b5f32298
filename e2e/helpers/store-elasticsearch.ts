import { isObject, logFromModel, obj, spanFromModel, type Json, type Store } from './stores.js';

export const ES_URL = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';

/**
 * The demo's Elasticsearch indices `isotel-demo-logs-*` and `isotel-demo-traces-*` (the Collector's `otel`
 * document shape: `resource.attributes`, `body.text` / `body.structured`, flattened `attributes`), read
 * with the search API. The demo writes with refresh, so what was acknowledged is searchable.
 */
export function elasticsearchStore(url = ES_URL): Store {
  const search = async (index: string, query: Json): Promise<Json[]> => {
    const res = await fetch(`${url}/${index}/_search?ignore_unavailable=true&allow_no_indices=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ size: 10_000, query }),
      signal: AbortSignal.timeout(10_000),
    });
    const body: unknown = await res.json();
    if (!res.ok) throw new Error(`Elasticsearch search ${index} answered ${res.status}: ${JSON.stringify(body).slice(0, 500)}`);
    const hits = obj(obj(body).hits).hits;
    return Array.isArray(hits) ? hits.filter(isObject).map((h) => obj(h._source)) : [];
  };
  const service = (d: Json): string => String(obj(obj(d.resource).attributes)['service.name']);
  const spans = async (query: Json) => (await search('isotel-demo-traces-*', query)).map((d) => spanFromModel(d, service(d)));
  const logs = async (query: Json) =>
    (await search('isotel-demo-logs-*', query)).map((d) => {
      const b = obj(d.body);
      return logFromModel(d, service(d), b.text ?? b.structured ?? b.value);
    });
  return {
    name: 'elasticsearch',
    spansOfTrace: (traceId) => spans({ term: { trace_id: traceId } }),
    logsOfTrace: (traceId) => logs({ term: { trace_id: traceId } }),
    spansWithAttribute: (key, value) => spans({ term: { [`attributes.${key}`]: value } }),
    logsWithAttribute: (key, value) => logs({ term: { [`attributes.${key}`]: value } }),
    close: async () => undefined,
  };
}
