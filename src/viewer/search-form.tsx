import { useState } from 'preact/hooks';
import { ChoiceField } from './choice-field.js';
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
  const set = (f: Field) => (e: { currentTarget: { value: string } }) => setV({ ...v, [f]: e.currentTarget.value });
  const submit = (e: Event) => {
    e.preventDefault();
    const tags = parseTagLines(v.tags);
    if (!tags.ok) return setError(`Tags: ${tags.error}`);
    setError('');
    location.hash = searchHref({ ...v, run: String(Date.now()) });
  };
  return (
    <form class="search-form" onSubmit={submit} aria-label="Search traces">
      <ChoiceField label="Service" value={v.service} none="Choose a service" choices={services} onChange={(service) => setV({ ...v, service, operation: '' })} />
      <ChoiceField label="Operation" value={v.operation} none="All operations" choices={operations} onChange={(operation) => setV({ ...v, operation })} />
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
      <button type="submit">Find traces</button>
    </form>
  );
}
