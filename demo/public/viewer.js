// The trace viewer: reads GET /v1/traces and /v1/traces/{id} and draws a waterfall. Everything shown is set
// with textContent (never innerHTML), so log bodies and attribute values cannot inject markup or script.
(function () {
  const PALETTE = ['#3b82f6', '#10b981', '#f59e0b', '#8b5cf6', '#ef4444', '#14b8a6', '#ec4899', '#84cc16'];
  const colors = new Map();
  const colorOf = (service) => {
    if (!colors.has(service)) colors.set(service, PALETTE[colors.size % PALETTE.length]);
    return colors.get(service);
  };
  const el = (tag, props = {}, children = []) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') e.textContent = String(v);
      else if (k === 'style') Object.assign(e.style, v);
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else e.setAttribute(k, String(v));
    }
    for (const c of children) e.append(c);
    return e;
  };
  const ms = (iso) => Date.parse(iso) + (Number((/\.\d{3}(\d{3})/.exec(iso) || [0, '0'])[1]) / 1000);
  const service = (r) => (r.resource && r.resource['service.name']) || 'unknown';
  const fmtMs = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);

  async function list(tbody, status) {
    status.textContent = 'loading…';
    const res = await fetch('/v1/traces?limit=50');
    if (!res.ok) {
      status.textContent = `could not list traces (${res.status})`;
      return;
    }
    const { traces } = await res.json();
    status.textContent = traces.length === 0 ? 'no traces yet: click around the demo page' : '';
    for (const t of traces) {
      const row = el('tr', { class: t.error ? 'error' : '', dataset: { traceId: t.trace_id } }, [
        el('td', { text: new Date(t.start_time).toLocaleTimeString() }),
        el('td', { text: t.root_name }),
        el('td', {}, t.services.map((s) => el('span', { class: 'svc', text: s, style: { borderColor: colorOf(s) } }))),
        el('td', { text: t.span_count }),
        el('td', { text: fmtMs(t.duration_ms) }),
        el('td', {}, [el('a', { href: `/traces/${t.trace_id}`, text: 'open' })]),
      ]);
      tbody.append(row);
    }
  }

  async function trace(id) {
    document.getElementById('trace-id').textContent = id;
    const status = document.getElementById('status');
    const res = await fetch(`/v1/traces/${encodeURIComponent(id)}`);
    if (!res.ok) {
      status.textContent = res.status === 404 ? 'this trace has no stored spans or logs (yet)' : `could not load the trace (${res.status})`;
      return;
    }
    const { spans, logs } = await res.json();
    const times = spans.flatMap((s) => [ms(s.start_time), ms(s.end_time)]).concat(logs.map((l) => ms(l.timestamp)));
    const t0 = Math.min(...times);
    const t1 = Math.max(...times, t0 + 1);
    const pct = (t) => `${(((t - t0) / (t1 - t0)) * 100).toFixed(3)}%`;

    // Depth-first order: parents before children, siblings by start time.
    const byParent = new Map();
    const ids = new Set(spans.map((s) => s.span_id));
    for (const s of spans) {
      const p = s.parent_span_id && ids.has(s.parent_span_id) ? s.parent_span_id : '';
      if (!byParent.has(p)) byParent.set(p, []);
      byParent.get(p).push(s);
    }
    const ordered = [];
    const walk = (parent, depth) => {
      for (const s of (byParent.get(parent) || []).sort((a, b) => ms(a.start_time) - ms(b.start_time))) {
        ordered.push([s, depth]);
        walk(s.span_id, depth + 1);
      }
    };
    walk('', 0);

    const waterfall = document.getElementById('waterfall');
    const logsBySpan = new Map();
    for (const l of logs) {
      if (!logsBySpan.has(l.span_id)) logsBySpan.set(l.span_id, []);
      logsBySpan.get(l.span_id).push(l);
    }
    for (const [s, depth] of ordered) {
      const svc = service(s);
      const isError = s.status && s.status.code === 'ERROR';
      const bar = el('div', { class: `bar${isError ? ' error' : ''}`, title: `${s.name} — ${fmtMs(s.duration_ms)}`, style: { left: pct(ms(s.start_time)), width: `max(2px, calc(${pct(ms(s.end_time))} - ${pct(ms(s.start_time))}))`, background: colorOf(svc) } });
      const track = el('div', { class: 'track' }, [bar]);
      for (const l of logsBySpan.get(s.span_id) || []) {
        const level = l.severity_text || '';
        const body = typeof l.body === 'string' ? l.body : JSON.stringify(l.body);
        track.append(el('span', { class: `log-mark${l.severity_number >= 17 ? ' error' : ''}`, title: `${level} ${body}`, style: { left: pct(ms(l.timestamp)) } }));
      }
      const label = el('div', { class: 'label', style: { paddingLeft: `${depth * 14}px` } }, [
        el('span', { class: 'svc', text: svc, style: { borderColor: colorOf(svc) } }),
        el('span', { class: 'name', text: s.name }),
        el('span', { class: 'dur', text: fmtMs(s.duration_ms) }),
      ]);
      waterfall.append(el('div', { class: `row${isError ? ' error' : ''}`, role: 'row', dataset: { spanId: s.span_id, service: svc, kind: s.kind } }, [label, track]));
    }
    const legend = document.getElementById('legend');
    for (const [svc, color] of colors) legend.append(el('span', { class: 'svc', text: svc, style: { borderColor: color } }));

    const tbody = document.querySelector('#logs tbody');
    for (const l of logs.sort((a, b) => ms(a.timestamp) - ms(b.timestamp))) {
      const body = typeof l.body === 'string' ? l.body : JSON.stringify(l.body);
      tbody.append(el('tr', { class: l.severity_number >= 17 ? 'error' : '', dataset: { spanId: l.span_id || '' } }, [
        el('td', { text: new Date(ms(l.timestamp)).toLocaleTimeString() }),
        el('td', { text: service(l) }),
        el('td', { text: l.severity_text }),
        el('td', { class: 'body', text: body }),
        el('td', { text: (l.span_id || '').slice(0, 8) }),
      ]));
    }
    status.textContent = `${spans.length} spans, ${logs.length} logs`;
    document.body.dataset.ready = 'true';
  }

  window.IsotelViewer = { list, trace };
})();
