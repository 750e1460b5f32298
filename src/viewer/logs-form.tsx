import { useState } from 'preact/hooks';
import { ChoiceField } from './choice-field.js';
import type { LogValues } from './logs-query.js';
import { logsHref } from './route.js';
import { parseTagLines } from './tags.js';
import { TimeRangeFields } from './time-range-fields.js';
import { useLoad } from './use-load.js';

const LEVELS = ['', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** The logs query's filters; submitting moves to their route. */
export function LogsForm({ initial }: { initial: LogValues }) {
  const [v, setV] = useState(initial);
  const [error, setError] = useState('');
  const services = useLoad('services', (api) => api.services());
  const set = (f: keyof LogValues) => (e: { currentTarget: { value: string } }) => setV({ ...v, [f]: e.currentTarget.value });
  const submit = (e: Event) => {
    e.preventDefault();
    const attrs = parseTagLines(v.attr);
    if (!attrs.ok) return setError(`Attributes: ${attrs.error}`);
    setError('');
    location.hash = logsHref({ ...v, run: String(Date.now()) });
  };
  const level = (f: 'severity_min' | 'severity_max', label: string) => (
    <label>
      {label}
      <select value={v[f]} onChange={set(f)}>
        {LEVELS.map((l) => <option value={l}>{l || 'any'}</option>)}
      </select>
    </label>
  );
  return (
    <form class="search-form" onSubmit={submit} aria-label="Search logs">
      <ChoiceField label="Service" value={v.service} none="All services" choices={services} onChange={(service) => setV({ ...v, service })} />
      <div class="row">
        {level('severity_min', 'Severity from')}
        {level('severity_max', 'to')}
      </div>
      <TimeRangeFields lookback={v.lookback} from={v.from} to={v.to} anyTime onChange={(f, value) => setV({ ...v, [f]: value })} />
      <label>
        Trace id <input value={v.trace_id} onInput={set('trace_id')} size={34} />
      </label>
      <label>
        Attributes <span class="hint">key=value, one a line</span>
        <textarea rows={2} value={v.attr} onInput={set('attr')} />
      </label>
      <label>
        Text <input type="search" value={v.q} onInput={set('q')} placeholder="words in the body" />
      </label>
      {error && <p role="alert" class="error-text">{error}</p>}
      <button type="submit">Find logs</button>
    </form>
  );
}
