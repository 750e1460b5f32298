import { formatDuration, formatTime } from './format.js';
import { KeyValueTable } from './key-value-table.js';
import { traceHref } from './route.js';
import { tagValue, valueText } from './span-info.js';
import type { Process } from './types.js';
import type { Row } from './waterfall-layout.js';

/** The selected span: status, attributes (tags), events (logs), references (parent, links), process. */
export function SpanDetails({ row, process, traceStart }: { row: Row; process: Process | undefined; traceStart: number }) {
  const s = row.span;
  const status = tagValue(s.tags, 'otel.status_code');
  const message = tagValue(s.tags, 'otel.status_description');
  return (
    <aside class="span-details" aria-label="Span details">
      <h2>{s.operationName}</h2>
      <p class="meta">
        {row.service} · {row.browser ? 'browser span' : 'server span'} · {formatDuration(s.duration)} · starts at +{formatDuration(s.startTime - traceStart)} ({formatTime(s.startTime)})
      </p>
      <p class="meta">
        Span <code>{s.spanID}</code>
      </p>
      <h3>Status</h3>
      <p class={row.error ? 'error-text' : undefined}>
        {status === undefined ? 'UNSET' : valueText(status)}
        {message !== undefined && `: ${valueText(message)}`}
        {row.critical && ' · on the critical path'}
      </p>
      <h3>Attributes</h3>
      <KeyValueTable items={s.tags} label="Span attributes" />
      <h3>Events ({s.logs.length})</h3>
      {s.logs.length === 0 ? <p class="hint">none</p> : s.logs.map((l) => (
        <div class="event">
          <p class="meta">+{formatDuration(l.timestamp - traceStart)}</p>
          <KeyValueTable items={l.fields} label="Event fields" />
        </div>
      ))}
      <h3>References ({s.references.length})</h3>
      {s.references.length === 0 ? <p class="hint">none (a root span)</p> : (
        <ul>
          {s.references.map((r) => (
            <li>
              {r.refType === 'CHILD_OF' ? 'child of' : 'follows from'} <a href={traceHref(r.traceID, r.spanID)}><code>{r.spanID}</code></a>
              {r.traceID !== s.traceID && <> in trace <code>{r.traceID}</code></>}
            </li>
          ))}
        </ul>
      )}
      <h3>Process: {process?.serviceName ?? s.processID}</h3>
      <KeyValueTable items={process?.tags ?? []} label="Process (resource) attributes" />
    </aside>
  );
}
