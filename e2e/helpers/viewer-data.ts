/**
 * The explorer e2e's data, as OTLP/JSON: a checkout trace from a browser (telemetry.sdk.language webjs) into
 * an API and its database, one failing span, attribute values that are script in disguise, and logs inside
 * and outside the trace; a second trace of the API alone.
 */
export const READ_KEY = 'viewer-e2e-read-key';
export const CHECKOUT = '5b8efff798038103d269b633813fc60c';
export const ITEMS = '5b8efff798038103d269b633813fc60d';
export const SPAN = { click: 'a100000000000001', fetch: 'a100000000000002', api: 'b100000000000001', db: 'b100000000000002', charge: 'b100000000000003', items: 'b100000000000009' };
export const EVIL_SCRIPT = '<script>window.__pwned=1</script>';
export const EVIL_IMG = '"><img src=x onerror="window.__pwned=2">';

const MS = 1_000_000n;
const T0 = (BigInt(Date.now()) - 5n * 60_000n) * MS;
const kv = (key: string, value: string | number | boolean) => ({
  key,
  value: typeof value === 'string' ? { stringValue: value } : typeof value === 'boolean' ? { boolValue: value } : { intValue: String(value) },
});
const resource = (service: string, language: string) => ({ attributes: [kv('service.name', service), kv('telemetry.sdk.language', language)] });

interface SpanIn {
  trace: string;
  span: string;
  parent?: string;
  name: string;
  kind: number;
  startMs: bigint;
  ms: bigint;
  attributes?: ReturnType<typeof kv>[];
  error?: string;
}

function otlpSpan(s: SpanIn) {
  const start = T0 + s.startMs * MS;
  return {
    traceId: s.trace,
    spanId: s.span,
    ...(s.parent ? { parentSpanId: s.parent } : {}),
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + s.ms * MS),
    attributes: s.attributes ?? [],
    events: s.error ? [{ timeUnixNano: String(start + 5n * MS), name: 'exception', attributes: [kv('exception.type', 'CardDeclined'), kv('exception.message', s.error)] }] : [],
    status: s.error ? { code: 2, message: s.error } : { code: 1 },
  };
}

const BROWSER: SpanIn[] = [
  { trace: CHECKOUT, span: SPAN.click, name: 'click checkout', kind: 1, startMs: 0n, ms: 420n },
  { trace: CHECKOUT, span: SPAN.fetch, parent: SPAN.click, name: 'POST /api/checkout', kind: 3, startMs: 10n, ms: 400n },
];
const API: SpanIn[] = [
  {
    trace: CHECKOUT, span: SPAN.api, parent: SPAN.fetch, name: 'POST /api/checkout', kind: 2, startMs: 20n, ms: 380n,
    attributes: [kv('user.tier', 'gold'), kv('http.response.status_code', 502), kv('note', EVIL_SCRIPT), kv('referrer', EVIL_IMG)],
  },
  { trace: CHECKOUT, span: SPAN.db, parent: SPAN.api, name: 'SELECT cart', kind: 3, startMs: 30n, ms: 60n, attributes: [kv('db.system.name', 'postgresql')] },
  { trace: CHECKOUT, span: SPAN.charge, parent: SPAN.api, name: 'charge card', kind: 3, startMs: 100n, ms: 290n, error: 'card declined' },
  { trace: ITEMS, span: SPAN.items, name: 'GET /api/items', kind: 2, startMs: 60_000n, ms: 35n, attributes: [kv('user.tier', 'silver')] },
];

export function tracesRequest() {
  return {
    resourceSpans: [
      { resource: resource('shop-web', 'webjs'), scopeSpans: [{ scope: { name: 'isotel-browser' }, spans: BROWSER.map(otlpSpan) }] },
      { resource: resource('shop-api', 'nodejs'), scopeSpans: [{ scope: { name: 'shop' }, spans: API.map(otlpSpan) }] },
    ],
  };
}

function log(atMs: bigint, severity: number, text: string, body: string, span?: string, attributes: ReturnType<typeof kv>[] = []) {
  return {
    timeUnixNano: String(T0 + atMs * MS),
    severityNumber: severity,
    severityText: text,
    body: { stringValue: body },
    ...(span ? { traceId: CHECKOUT, spanId: span } : {}),
    attributes,
  };
}

export function logsRequest() {
  return {
    resourceLogs: [
      {
        resource: resource('shop-api', 'nodejs'),
        scopeLogs: [
          {
            scope: { name: 'shop' },
            logRecords: [
              log(25n, 9, 'INFO', 'checkout started', SPAN.api, [kv('cart.items', 3)]),
              log(380n, 17, 'ERROR', `card declined <img src=x onerror="window.__pwned=3">`, SPAN.charge, [kv('payment.provider', EVIL_SCRIPT)]),
              log(60_010n, 9, 'INFO', 'items listed'),
            ],
          },
        ],
      },
    ],
  };
}
