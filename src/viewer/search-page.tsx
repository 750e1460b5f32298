import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { useApi } from './context.js';
import { timeRange } from './format.js';
import { SearchForm, searchValues, type SearchValues } from './search-form.js';
import { parseTagLines } from './tags.js';
import { TraceList } from './trace-list.js';
import { useKeyedResults } from './keyed-results.js';
import type { Trace } from './types.js';

/** The Jaeger API parameters of a search; `end` moves back for the next page. */
function apiParams(v: SearchValues, range: { start?: number; end?: number }): URLSearchParams {
  const p = new URLSearchParams({ service: v.service, limit: v.limit });
  if (v.operation) p.set('operation', v.operation);
  const tags = parseTagLines(v.tags);
  if (tags.ok && Object.keys(tags.tags).length > 0) p.set('tags', JSON.stringify(tags.tags));
  if (v.minDuration) p.set('minDuration', v.minDuration);
  if (v.maxDuration) p.set('maxDuration', v.maxDuration);
  if (range.start !== undefined) p.set('start', String(range.start));
  if (range.end !== undefined) p.set('end', String(range.end));
  return p;
}

type Results = { traces: Trace[]; more: boolean; error?: string; loading: boolean };

/** Search form and the traces it found, newest first, with "more" paging (an earlier `end`). */
export function SearchPage({ query }: { query: URLSearchParams }) {
  const { api, unauthorized, keyVersion } = useApi();
  const values = searchValues(query);
  const key = query.toString();
  const [results, setResults] = useKeyedResults<Results>(key, { traces: [], more: false, loading: true });
  const [range, setRange] = useState<{ start?: number; end?: number }>({});
  const run = async (r: { start?: number; end?: number }, previous: Trace[]) => {
    setResults(key, { traces: previous, more: false, loading: true });
    try {
      const found = await api.traces(apiParams(values, r));
      const fresh = found.filter((t) => !previous.some((p) => p.traceID === t.traceID));
      setResults(key, { traces: [...previous, ...fresh], more: found.length >= Number(values.limit), loading: false });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) unauthorized();
      setResults(key, { traces: previous, more: false, loading: false, error: err instanceof Error ? err.message : String(err) });
    }
  };
  useEffect(() => {
    if (!values.service) return setResults(key, { traces: [], more: false, loading: false });
    const r = timeRange(values.lookback, values.from, values.to, Date.now() * 1000);
    setRange(r);
    void run(r, []);
  }, [key, keyVersion]);
  const more = () => {
    const oldest = Math.min(...results.traces.map((t) => Math.min(...t.spans.map((s) => s.startTime))));
    const r = { ...range, end: oldest - 1 };
    setRange(r);
    void run(r, results.traces);
  };
  return (
    <div class="search-page">
      <SearchForm key={key} initial={values} />
      <section class="results" aria-label="Traces found" aria-busy={results.loading}>
        {!values.service && <p class="hint">Choose a service and press “Find traces”.</p>}
        {results.error && <p role="alert" class="error-text">{results.error}</p>}
        {values.service && <TraceList traces={results.traces} loading={results.loading} />}
        {results.more && !results.loading && (
          <button type="button" onClick={more}>
            More traces
          </button>
        )}
      </section>
    </div>
  );
}
