import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { useApi } from './context.js';
import { formatTime, isoToMicros } from './format.js';
import { bodyText, logService, severityName } from './log-text.js';
import { LogsForm } from './logs-form.js';
import { logsApiParams, logValues } from './logs-query.js';
import { useKeyedResults } from './keyed-results.js';
import { traceHref } from './route.js';
import type { LogRecord } from './types.js';

type Results = { logs: LogRecord[]; cursor: string | null; loading: boolean; error?: string };

/** The logs search: filters, the records newest first, "more" by the API's cursor. */
export function LogsPage({ query }: { query: URLSearchParams }) {
  const { api, unauthorized, keyVersion } = useApi();
  const values = logValues(query);
  const [now, setNow] = useState(Date.now() * 1000);
  const key = query.toString();
  const [results, setResults] = useKeyedResults<Results>(key, { logs: [], cursor: null, loading: true });
  const run = async (previous: LogRecord[], nowUs: number, cursor?: string) => {
    setResults(key, { logs: previous, cursor: null, loading: true });
    try {
      const page = await api.logs(logsApiParams(values, nowUs, cursor));
      setResults(key, { logs: [...previous, ...page.data], cursor: page.next_cursor, loading: false });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) unauthorized();
      setResults(key, { logs: previous, cursor: null, loading: false, error: err instanceof Error ? err.message : String(err) });
    }
  };
  useEffect(() => {
    const t = Date.now() * 1000;
    setNow(t);
    void run([], t);
  }, [key, keyVersion]);
  return (
    <div class="search-page">
      <LogsForm key={key} initial={values} />
      <section class="results" aria-label="Logs found" aria-busy={results.loading}>
        {results.error && <p role="alert" class="error-text">{results.error}</p>}
        {results.logs.length === 0 && !results.loading && !results.error && <p class="hint">No logs found.</p>}
        <ol class="log-list">
          {results.logs.map((log) => <LogItem log={log} />)}
        </ol>
        {results.loading && <p class="hint">Loading…</p>}
        {results.cursor && !results.loading && (
          <button type="button" onClick={() => void run(results.logs, now, results.cursor ?? undefined)}>
            More logs
          </button>
        )}
      </section>
    </div>
  );
}

function LogItem({ log }: { log: LogRecord }) {
  const sev = severityName(log);
  const attrs = Object.entries(log.attributes);
  return (
    <li class={`log-item sev-${sev.toLowerCase()}`}>
      <span class="meta">{formatTime(isoToMicros(log.timestamp))}</span> <span class="sev">{sev}</span> <span class="service-name">{logService(log)}</span>
      <span class="log-body">{bodyText(log.body)}</span>
      {attrs.length > 0 && (
        <span class="attrs">
          {attrs.map(([k, v]) => (
            <span class="attr">
              {k}={bodyText(v)}
            </span>
          ))}
        </span>
      )}
      {log.trace_id && (
        <a class="to-trace" href={traceHref(log.trace_id, log.span_id)}>
          View trace {log.trace_id.slice(0, 12)}
        </a>
      )}
    </li>
  );
}
