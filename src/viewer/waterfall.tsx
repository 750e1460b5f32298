import { useRef } from 'preact/hooks';
import { formatDuration, isoToMicros } from './format.js';
import { bodyText, severityName } from './log-text.js';
import { axisPosition, labelPlacement, type Layout, type Row } from './waterfall-layout.js';
import type { LogRecord } from './types.js';

const pct = (f: number) => `${(f * 100).toFixed(3)}%`;

/**
 * The spans on the trace's time axis, indented by parent, each a button (Up/Down, Home/End move the
 * selection); each span's logs follow it on the same axis, and logs of no span in the trace come last.
 */
export function Waterfall({ layout, logs, selected, onSelect }: { layout: Layout; logs: LogRecord[]; selected: string; onSelect(id: string): void }) {
  const list = useRef<HTMLOListElement>(null);
  const bySpan = groupLogs(logs, new Set(layout.rows.map((r) => r.span.spanID)));
  const onKey = (e: KeyboardEvent) => {
    const i = layout.rows.findIndex((r) => r.span.spanID === selected);
    const next = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: layout.rows.length - 1 }[e.key];
    if (next === undefined || next < 0 || next >= layout.rows.length) return;
    e.preventDefault();
    const id = layout.rows[next].span.spanID;
    onSelect(id);
    list.current?.querySelector<HTMLButtonElement>(`button[data-span="${id}"]`)?.focus();
  };
  return (
    <section class="waterfall" aria-label="Spans and logs on the time axis">
      <div class="axis" aria-hidden="true">
        {[0, 0.25, 0.5, 0.75, 1].map((f) => (
          <span style={{ left: pct(f) }}>{formatDuration(f * layout.duration)}</span>
        ))}
      </div>
      <ol ref={list} onKeyDown={onKey}>
        {layout.rows.map((row) => [
          <SpanRow row={row} color={layout.colors.get(row.service) ?? '#475569'} selected={row.span.spanID === selected} onSelect={onSelect} />,
          ...(bySpan.get(row.span.spanID) ?? []).map((log) => <LogRow log={log} depth={row.depth + 1} layout={layout} />),
        ])}
        {(bySpan.get('') ?? []).map((log) => <LogRow log={log} depth={0} layout={layout} />)}
      </ol>
    </section>
  );
}

function groupLogs(logs: LogRecord[], spanIDs: Set<string>): Map<string, LogRecord[]> {
  const out = new Map<string, LogRecord[]>();
  const sorted = [...logs].sort((a, b) => isoToMicros(a.timestamp) - isoToMicros(b.timestamp));
  for (const log of sorted) {
    const key = log.span_id && spanIDs.has(log.span_id) ? log.span_id : '';
    out.set(key, [...(out.get(key) ?? []), log]);
  }
  return out;
}

function SpanRow({ row, color, selected, onSelect }: { row: Row; color: string; selected: boolean; onSelect(id: string): void }) {
  const classes = ['span-row', row.error && 'is-error', row.critical && 'is-critical', selected && 'is-selected'].filter(Boolean).join(' ');
  return (
    <li class={classes}>
      <button type="button" data-span={row.span.spanID} aria-pressed={selected} tabIndex={selected ? 0 : -1} onClick={() => onSelect(row.span.spanID)} class="span-label" style={{ paddingLeft: `${0.4 + row.depth * 1.1}em` }}>
        <span class={`kind-badge ${row.browser ? 'kind-browser' : 'kind-server'}`}>{row.browser ? 'browser' : 'server'}</span>
        <span class="service-name" style={{ color }}>{row.service}</span> <span class="op-name">{row.span.operationName}</span>
        {row.error && <span class="error-mark">error</span>}
        {row.critical && <span class="visually-hidden"> (on the critical path)</span>}
      </button>
      <span class="track" aria-hidden="true">
        <span class="bar" style={{ left: pct(row.left), width: `max(2px, ${pct(row.width)})`, backgroundColor: color }} />
        <BarLabel row={row} />
      </span>
    </li>
  );
}

function BarLabel({ row }: { row: Row }) {
  const place = labelPlacement(row.left, row.width);
  const style = place === 'after' ? { left: pct(row.left + row.width) } : place === 'before' ? { right: pct(1 - row.left) } : { left: pct(row.left) };
  return (
    <span class={`bar-label label-${place}`} style={style}>
      {formatDuration(row.span.duration)}
    </span>
  );
}

function LogRow({ log, depth, layout }: { log: LogRecord; depth: number; layout: Layout }) {
  const sev = severityName(log);
  const at = axisPosition(layout, isoToMicros(log.timestamp));
  return (
    <li class={`log-row sev-${sev.toLowerCase()}`}>
      <span class="log-label" style={{ paddingLeft: `${0.4 + depth * 1.1}em` }}>
        <span class="sev">{sev}</span> <span class="log-body">{bodyText(log.body)}</span>
      </span>
      <span class="track" aria-hidden="true">
        <span class="log-dot" style={{ left: pct(at) }} />
      </span>
    </li>
  );
}
