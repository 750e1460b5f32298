import { serviceColors } from './colors.js';
import { formatDuration, formatTime } from './format.js';
import { traceHref } from './route.js';
import { summarizeTrace } from './trace-summary.js';
import type { Trace } from './types.js';

/** The traces a search found: root name, services, span count, duration, start, an error mark. */
export function TraceList({ traces, loading }: { traces: Trace[]; loading: boolean }) {
  if (traces.length === 0) return <p class="hint">{loading ? 'Searching…' : 'No traces found.'}</p>;
  return (
    <>
      <ol class="trace-list">
        {traces.map((t) => (
          <TraceItem key={t.traceID} trace={t} />
        ))}
      </ol>
      {loading && <p class="hint">Loading more…</p>}
    </>
  );
}

function TraceItem({ trace }: { trace: Trace }) {
  const s = summarizeTrace(trace);
  const colors = serviceColors(s.services.map((x) => x.name));
  return (
    <li class={s.errorCount > 0 ? 'has-error' : undefined}>
      <a href={traceHref(s.traceID)} class="trace-link">
        <span class="root-name">
          {s.rootService}: {s.rootName}
        </span>
        {s.errorCount > 0 && <span class="error-mark">{s.errorCount === 1 ? '1 error' : `${s.errorCount} errors`}</span>}
      </a>
      <span class="meta">
        {s.spanCount} spans · {formatDuration(s.duration)} · {formatTime(s.start)} · <code>{s.traceID.slice(0, 12)}</code>
      </span>
      <span class="services">
        {s.services.map((x) => (
          <span class="service-tag" style={{ color: colors.get(x.name), borderColor: colors.get(x.name) }}>
            {x.name} ({x.spans})
          </span>
        ))}
      </span>
    </li>
  );
}
