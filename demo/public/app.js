// The demo page: every click makes browser spans and logs; API calls carry traceparent to the server.
const telemetry = Isotel.init({
  endpoint: location.origin,
  serviceName: 'demo-web',
  serviceVersion: '1.0.0',
  environment: 'demo',
  logLevel: 'info',
  captureErrors: true,
  instrumentDocumentLoad: true,
  propagateTraceHeaderCorsUrls: [],
});
window.telemetry = telemetry;
const $ = (id) => document.getElementById(id);
const events = $('events');

function note(text) {
  const line = `${new Date().toLocaleTimeString()}  ${text}\n`;
  events.textContent = (line + events.textContent).slice(0, 4000);
}

function showTrace(traceparent) {
  const m = /^00-([0-9a-f]{32})-/.exec(traceparent ?? '');
  if (!m) return;
  const a = $('last-trace');
  a.textContent = m[1].slice(0, 16) + '…';
  a.href = `/ui/#/trace/${m[1]}`;
}

async function call(path) {
  const res = await fetch(path);
  const body = await res.json().catch(() => ({}));
  // The server answers with Server-Timing: traceparent;desc="00-<trace>-<span>-01": the trace of this call.
  const st = res.headers.get('server-timing') ?? '';
  const tp = /traceparent;desc="?([^",]+)"?/.exec(st);
  if (tp) showTrace(tp[1]);
  return { res, body };
}

$('calculate').addEventListener('click', async () => {
  const base = $('base').value;
  const discount = $('discount').value;
  telemetry.logger.info('calculate clicked', { base, discount });
  const { res, body } = await call(`/api/price/${encodeURIComponent(base)}?discount=${encodeURIComponent(discount)}`);
  $('result').textContent = res.ok ? String(body.price) : `error: ${body.error}`;
  note(`price → ${res.status} ${JSON.stringify(body)}`);
});
$('checkout').addEventListener('click', async () => {
  const sku = $('sku').value;
  telemetry.logger.info('checkout clicked', { sku });
  const { res, body } = await call(`/api/checkout/${encodeURIComponent(sku)}`);
  $('checkout-result').textContent = res.ok ? `${body.price} € · ${body.quantity} in stock` : `error: ${body.error}`;
  note(`checkout → ${res.status} ${JSON.stringify(body)}`);
});
$('log').addEventListener('click', () => {
  telemetry.logger.info('user clicked "log a message"', { button: 'log' });
  note('logged a message');
});
$('throw').addEventListener('click', () => {
  note('throwing an error (captured as an ERROR record)');
  setTimeout(() => {
    throw new Error('demo: something broke in the page');
  });
});
$('slow').addEventListener('click', async () => {
  const { res } = await call('/api/slow');
  note(`slow → ${res.status}`);
});
$('fail').addEventListener('click', async () => {
  const { res, body } = await call('/api/fail');
  telemetry.logger.warn('checkout failed', { status: res.status, error: body.error });
  note(`fail → ${res.status}`);
});
// The outage is the server's state: after a reload the box shows it as it is, not unchecked.
fetch('/api/offline')
  .then((r) => r.json())
  .then((b) => {
    $('offline').checked = b.offline === true;
  })
  .catch(() => note('could not read the offline state'));
$('offline').addEventListener('change', async (e) => {
  await fetch(`/api/offline?on=${e.target.checked ? 1 : 0}`, { method: 'POST' });
  note(e.target.checked ? 'offline: records wait in IndexedDB' : 'online again: queued records are sent');
});

$('session').textContent = telemetry.sessionId ?? '—';
function refresh() {
  try {
    const h = telemetry.health();
    $('queued').textContent = String(h.queued ?? 0);
    $('delivered').textContent = String(h.delivered ?? 0);
    $('dropped').textContent = String(typeof h.dropped === 'number' ? h.dropped : h.dropped?.total ?? 0);
  } catch (err) {
    // health() never throws; a page script error here must not stop the counter
  }
}
setInterval(refresh, 500);
refresh();
