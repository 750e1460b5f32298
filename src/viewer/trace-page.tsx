import { useMemo, useState } from 'preact/hooks';
import { formatDuration, formatTime } from './format.js';
import { Legend } from './legend.js';
import { logsHref, traceHref } from './route.js';
import { SpanDetails } from './span-details.js';
import { useLoad } from './use-load.js';
import { Waterfall } from './waterfall.js';
import { layoutTrace } from './waterfall-layout.js';
import type { LogRecord, Trace } from './types.js';

/** One trace: summary, legend, the waterfall with the trace's logs on its time axis, the selected span. */
export function TracePage({ traceID, initialSpan }: { traceID: string; initialSpan?: string }) {
  const trace = useLoad(`trace:${traceID}`, (api) => api.trace(traceID));
  const logs = useLoad(`logs:${traceID}`, (api) => api.logs(new URLSearchParams({ trace_id: traceID, limit: '1000' })));
  if (trace.state === 'loading') return <p class="hint">Loading trace {traceID}…</p>;
  if (trace.state === 'failed') return <p role="alert" class="error-text">{trace.error}</p>;
  if (!trace.value) return <p role="alert">Trace {traceID} was not found.</p>;
  const logRecords = logs.state === 'done' ? logs.value.data : [];
  return (
    <TraceView trace={trace.value} logs={logRecords} logsNote={logs.state === 'failed' ? logs.error : logs.state === 'done' && logs.value.next_cursor ? 'more logs than shown' : ''} initialSpan={initialSpan} />
  );
}

function TraceView({ trace, logs, logsNote, initialSpan }: { trace: Trace; logs: LogRecord[]; logsNote: string; initialSpan?: string }) {
  const layout = useMemo(() => layoutTrace(trace), [trace]);
  const [selected, setSelected] = useState(initialSpan ?? layout.rows[0]?.span.spanID ?? '');
  const select = (spanID: string) => {
    setSelected(spanID);
    history.replaceState(null, '', traceHref(trace.traceID, spanID));
  };
  const row = layout.rows.find((r) => r.span.spanID === selected);
  const errors = layout.rows.filter((r) => r.error).length;
  return (
    <div class="trace-page">
      <h1>
        {layout.rows[0] ? `${layout.rows[0].service}: ${layout.rows[0].span.operationName}` : trace.traceID}
      </h1>
      <p class="meta">
        Trace <code>{trace.traceID}</code> · {formatTime(layout.start)} · {formatDuration(layout.duration)} · {layout.rows.length} spans
        {errors > 0 && <span class="error-mark">{errors === 1 ? '1 error' : `${errors} errors`}</span>} ·{' '}
        <a href={logsHref({ trace_id: trace.traceID, lookback: 'all' })}>{logs.length} logs: open in logs search</a>
      </p>
      <Legend services={layout.services} colors={layout.colors} />
      <div class="trace-body">
        <Waterfall layout={layout} logs={logs} selected={selected} onSelect={select} />
        {row && <SpanDetails row={row} process={trace.processes[row.span.processID]} traceStart={layout.start} />}
      </div>
      {logsNote && <p class="hint">Logs: {logsNote}</p>}
    </div>
  );
}
