// The explorer benchmark's data set: TRACES traces of 10 spans (20 services, 10 operations each), two log
// records per span, spread over one fixed day, every value derived from the trace's index (SHA-512 blocks and
// SHA-256 ids), so a query can pick trace k and know its ids, services, times and attributes without storing
// them, and the stored set can be kept between runs (same tag, same data).
import { createHash } from 'node:crypto';

export const SPANS_PER_TRACE = 10;
export const LOGS_PER_SPAN = 2;
export const SERVICES = Array.from({ length: 20 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
export const OPERATIONS = ['GET /api/items/:id', 'POST /api/cart', 'GET /api/search', 'PUT /api/profile', 'DELETE /api/cart/:id', 'charge', 'SELECT orders', 'publish event', 'render page', 'GET /health'];
/** The day the data lives on (UTC): queries give explicit time ranges within it. */
export const DAY_START_MS = Date.UTC(2026, 10, 30);
export const DAY_MS = 86_400_000;
const TIERS = ['gold', 'silver', 'bronze'];

const hex = (s, n) => createHash('sha256').update(s).digest('hex').slice(0, n);
export const traceId = (tag, k) => hex(`${tag}:${k}`, 32);
const spanId = (tag, k, j) => hex(`${tag}:${k}:${j}`, 16);

/** Trace k's random numbers: SHA-512 blocks of (tag, k, n), 16 numbers each, so every trace can be rebuilt alone. */
function rng(tag, k) {
  let block = 0;
  let words = [];
  return () => {
    if (words.length === 0) {
      const b = createHash('sha512').update(`${tag}:${k}:r${block++}`).digest();
      words = Array.from({ length: 16 }, (_, i) => b.readUInt32BE(i * 4));
    }
    return words.pop() / 4294967296;
  };
}

/** Trace k's spans (plain objects: ids, service, times in ms, attributes), root first. */
export function traceOf(tag, k) {
  const r = rng(tag, k);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const rootStart = DAY_START_MS + Math.floor(r() * (DAY_MS - 60_000));
  const error = r() < 0.03;
  const spans = [];
  for (let j = 0; j < SPANS_PER_TRACE; j++) {
    const parent = j === 0 ? undefined : spans[Math.floor(r() * j)];
    const start = parent ? parent.start + r() * parent.duration * 0.5 : rootStart;
    const duration = parent ? parent.duration * (0.05 + r() * 0.4) : 5 + Math.exp(r() * 7); // root 5 ms .. ~1.1 s
    spans.push({
      traceId: traceId(tag, k),
      spanId: spanId(tag, k, j),
      parentSpanId: parent?.spanId,
      service: j === 0 ? SERVICES[k % SERVICES.length] : pick(SERVICES),
      name: pick(OPERATIONS),
      kind: j === 0 ? 2 : pick([1, 3, 3]),
      start,
      duration,
      error: error && j === 0,
      status: error && j === 0 ? 500 : 200,
      tier: pick(TIERS),
      user: Math.floor(r() * 100_000),
    });
  }
  return spans;
}

const str = (key, v) => ({ key, value: { stringValue: v } });
const int = (key, v) => ({ key, value: { intValue: String(v) } });
const nanos = (ms) => String(BigInt(Math.round(ms * 1000)) * 1000n);

function byService(items, make) {
  const groups = new Map();
  for (const s of items) {
    const g = groups.get(s.service) ?? [];
    g.push(make(s));
    groups.set(s.service, g);
  }
  return groups;
}

/** OTLP JSON ExportTraceServiceRequest of traces [from, to). */
export function tracesBody(tag, from, to) {
  const spans = [];
  for (let k = from; k < to; k++) spans.push(...traceOf(tag, k));
  const groups = byService(spans, (s) => ({
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: nanos(s.start),
    endTimeUnixNano: nanos(s.start + s.duration),
    attributes: [str('http.request.method', s.name.split(' ')[0]), int('http.response.status_code', s.status), str('user.tier', s.tier)],
    status: s.error ? { code: 2, message: 'upstream failed' } : {},
  }));
  return JSON.stringify({
    resourceSpans: [...groups].map(([service, list]) => ({
      resource: { attributes: [str('service.name', service), str('deployment.environment.name', 'bench')] },
      scopeSpans: [{ scope: { name: 'bench', version: '1.0.0' }, spans: list }],
    })),
  });
}

/** OTLP JSON ExportLogsServiceRequest: LOGS_PER_SPAN records inside each span of traces [from, to). */
export function logsBody(tag, from, to) {
  const spans = [];
  for (let k = from; k < to; k++) spans.push(...traceOf(tag, k));
  const records = [];
  for (const s of spans) {
    for (let i = 0; i < LOGS_PER_SPAN; i++) {
      const severity = s.error ? 17 : i === 1 && s.user % 20 === 0 ? 13 : 9;
      records.push({
        service: s.service,
        timeUnixNano: nanos(s.start + (s.duration * (i + 1)) / (LOGS_PER_SPAN + 1)),
        severityNumber: severity,
        severityText: severity === 17 ? 'ERROR' : severity === 13 ? 'WARN' : 'INFO',
        body: { stringValue: `${s.name} for user ${s.user} ${i === 0 ? 'started' : s.error ? 'failed: upstream timeout' : 'done'}` },
        attributes: [str('user.tier', s.tier), int('user.id', s.user), str('log.record.uid', `${s.spanId}${i}`)],
        traceId: s.traceId,
        spanId: s.spanId,
      });
    }
  }
  const groups = byService(records, ({ service, ...rest }) => rest);
  return JSON.stringify({
    resourceLogs: [...groups].map(([service, list]) => ({
      resource: { attributes: [str('service.name', service), str('deployment.environment.name', 'bench')] },
      scopeLogs: [{ scope: { name: 'bench', version: '1.0.0' }, logRecords: list }],
    })),
  });
}
