import { useState } from 'preact/hooks';
import { searchHref } from './route.js';
import { parseTagLines } from './tags.js';
import { TimeRangeFields } from './time-range-fields.js';
import { useLoad } from './use-load.js';

const FIELDS = ['service', 'operation', 'tags', 'lookback', 'from', 'to', 'minDuration', 'maxDuration', 'limit'] as const;
type Field = (typeof FIELDS)[number];
export type SearchValues = Record<Field, string>;

export function searchValues(query: URLSearchParams): SearchValues {
  const v = Object.fromEntries(FIELDS.map((f) => [f, query.get(f) ?? ''])) as SearchValues;
  return { ...v, lookback: v.lookback || '1h', limit: v.limit || '20' };
}

/** The trace search form; submitting moves to the search's route (so a search is a link). */
export function SearchForm({ initial }: { initial: SearchValues }) {
  const [v, setV] = useState(initial);
  const [error, setError] = useState('');
  const services = useLoad('services', (api) => api.services());
  const operations = useLoad(`ops:${v.service}`, (api) => (v.service ? api.operations(v.service) : Promise.resolve([])));
  const set = (f: Field) => (e: { currentTarget: { value: string } }) => setV({ ...v, [f]: e.currentTarget.value, ...(f === 'service' ? { operation: '' } : {}) });
  const submit = (e: Event) => {
    e.preventDefault();
    const tags = parseTagLines(v.tags);
    if (!tags.ok) return setError(`Tags: ${tags.error}`);
    setError('');
    location.hash = searchHref({ ...v, run: String(Date.now()) });
  };
  return (
    <form class="search-form" onSubmit={submit} aria-label="Search traces">
      <label>
        Service
        <select value={v.service} onChange={set('service')}>
          <option value="">Choose a service</option>
          {services.state === 'done' && services.value.map((s) => <option value={s}>{s}</option>)}
        </select>
      </label>
      <label>
        Operation
        <select value={v.operation} onChange={set('operation')}>
          <option value="">All operations</option>
          {operations.state === 'done' && operations.value.map((o) => <option value={o}>{o}</option>)}
        </select>
      </label>
      <label>
        Tags <span class="hint">key=value, one a line</span>
        <textarea rows={3} value={v.tags} onInput={set('tags')} placeholder="http.response.status_code=500" />
      </label>
      <div class="row">
        <label>
          Min duration <input value={v.minDuration} onInput={set('minDuration')} placeholder="100ms" size={8} />
        </label>
        <label>
          Max duration <input value={v.maxDuration} onInput={set('maxDuration')} placeholder="2s" size={8} />
        </label>
        <label>
          Limit <input type="number" min={1} max={1500} value={v.limit} onInput={set('limit')} size={5} />
        </label>
      </div>
      <TimeRangeFields lookback={v.lookback} from={v.from} to={v.to} onChange={(f, value) => setV({ ...v, [f]: value })} />
      {error && <p role="alert" class="error-text">{error}</p>}
      {services.state === 'failed' && <p role="alert" class="error-text">Services: {services.error}</p>}
      <button type="submit">Find traces</button>
    </form>
  );
}
