import { describe, it, expect, afterEach } from 'vitest';
import * as http from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { createOtlpBackend } from './backend.js';
import { createDiag } from '../../../shared/diag.js';
import type { LogRecord, MetricPoint, SpanRecord } from '../../../shared/model.js';
import { decodeLogsProtobuf, decodeTracesProtobuf } from '../../../shared/otlp/protobuf.js';
import { decodeMetricsProtobuf } from '../../../shared/otlp/protobuf-metrics.js';
import { decodeMetrics } from '../../../shared/otlp/decode.js';
import { derivePointId } from '../../../shared/otlp/derive-id.js';

const resource = { 'service.name': 'svc' };
const scope = { name: 'isotel', version: '1' };
const log = (n: number): LogRecord => ({
  record_id: `id-${n}`,
  timestamp: '2026-12-06T10:00:00.000000Z',
  observed_timestamp: '2026-12-06T10:00:00.000000Z',
  severity_number: 9,
  severity_text: 'INFO',
  body: `log ${n}`,
  attributes: { n },
  resource,
  scope,
});
const span: SpanRecord = {
  trace_id: 'a'.repeat(32),
  span_id: 'b'.repeat(16),
  name: 'GET /x',
  kind: 'SERVER',
  start_time: '2026-12-06T10:00:00.000000Z',
  end_time: '2026-12-06T10:00:00.002000Z',
  duration_ms: 2,
  status: { code: 'UNSET' },
  attributes: {},
  events: [],
  links: [],
  resource,
  scope,
};

type Reply = (path: string, body: Record<string, unknown>, count: number) => { status: number; headers?: Record<string, string>; body?: string | Uint8Array };
let server: http.Server | undefined;

/** A real OTLP/HTTP receiver on loopback whose answers the test chooses. */
async function receiver(reply: Reply) {
  const seen: Array<{ path: string; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }> = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      // Either encoding, read into the OTLP JSON shape (the protobuf by isotel's decoder, which the ingest uses).
      const protobuf = req.headers['content-type'] === 'application/x-protobuf';
      const decodeProto = req.url === '/v1/logs' ? decodeLogsProtobuf : req.url === '/v1/metrics' ? decodeMetricsProtobuf : decodeTracesProtobuf;
      const body = (protobuf ? decodeProto(new Uint8Array(raw)) : JSON.parse(raw.toString('utf8'))) as Record<string, unknown>;
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      const count = JSON.stringify(body).split('"timeUnixNano"').length - 1 || JSON.stringify(body).split('"spanId"').length - 1;
      const r = reply(req.url ?? '', body, count);
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(r.body ?? '{}');
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const ctx = { dataDir: '/tmp', diag: createDiag(() => {}) };

describe('OTLP/HTTP onward backend', () => {
  it('posts spans to /v1/traces and logs to /v1/logs as OTLP JSON with the headers, record ids as log.record.uid', async () => {
    const r = await receiver(() => ({ status: 200 }));
    const b = createOtlpBackend({ endpoint: `${r.url}/`, headers: { 'x-isotel-key': 'k1' }, timeout: 5, compression: 'gzip', protocol: 'http/json' }, ctx);
    expect(await b.write({ logs: [log(1), log(2)], spans: [span], metrics: [] })).toEqual({ status: 'success' });
    expect(r.seen.map((s) => s.path)).toEqual(['/v1/traces', '/v1/logs']);
    expect(r.seen[0].headers['content-type']).toBe('application/json');
    expect(r.seen[0].headers['x-isotel-key']).toBe('k1');
    expect(r.seen[0].headers['content-encoding']).toBe('gzip');
    const text = JSON.stringify(r.seen[1].body);
    expect(text).toContain('"log.record.uid"');
    expect(text).toContain('"id-2"');
    expect(JSON.stringify(r.seen[0].body)).toContain('"spanId":"bbbbbbbbbbbbbbbb"');
  });

  it('posts OTLP protobuf by default (the OTLP/HTTP default encoding): the same records, ids and trace context', async () => {
    const r = await receiver(() => ({ status: 200, headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(0) }));
    const b = createOtlpBackend({ endpoint: r.url, headers: {}, timeout: 5, compression: 'gzip' }, ctx);
    expect(await b.write({ logs: [log(1), log(2)], spans: [span], metrics: [] })).toEqual({ status: 'success' });
    expect(r.seen.map((s) => [s.path, s.headers['content-type']])).toEqual([['/v1/traces', 'application/x-protobuf'], ['/v1/logs', 'application/x-protobuf']]);
    const text = JSON.stringify(r.seen[1].body);
    expect(text).toContain('"log.record.uid"');
    expect(text).toContain('"id-2"');
    expect(JSON.stringify(r.seen[0].body)).toContain('"spanId":"bbbbbbbbbbbbbbbb"');
  });

  it('reads a protobuf partial_success (ExportLogsServiceResponse) and counts what it rejected', async () => {
    // partial_success (field 1, 7 bytes) { rejected_log_records (1) = 1, error_message (2) = "old" }
    const answer = new Uint8Array([0x0a, 0x07, 0x08, 0x01, 0x12, 0x03, 0x6f, 0x6c, 0x64]);
    const r = await receiver(() => ({ status: 200, headers: { 'content-type': 'application/x-protobuf' }, body: answer }));
    const counts: Record<string, number> = {};
    const diag = { ...createDiag(() => {}), count: (n: string, k = 1) => void (counts[n] = (counts[n] ?? 0) + k) };
    const b = createOtlpBackend({ endpoint: r.url, headers: {}, timeout: 5, compression: 'none' }, { dataDir: '/tmp', diag });
    expect(await b.write({ logs: [log(1), log(2)], spans: [], metrics: [] })).toEqual({ status: 'success' });
    expect(counts['otlp.logs_rejected']).toBe(1);
  });

  it('retries on 429/503 with the Retry-After hint, and on a refused connection', async () => {
    const r = await receiver(() => ({ status: 503, headers: { 'retry-after': '7' } }));
    const b = createOtlpBackend({ endpoint: r.url, headers: {}, timeout: 5, compression: 'none' }, ctx);
    expect(await b.write({ logs: [log(1)], spans: [], metrics: [] })).toMatchObject({ status: 'retryable', delayMs: 7000 });
    const dead = createOtlpBackend({ endpoint: 'http://127.0.0.1:9', headers: {}, timeout: 5, compression: 'none' }, ctx);
    expect(await dead.write({ logs: [log(1)], spans: [], metrics: [] })).toMatchObject({ status: 'retryable' });
  });

  it('splits a batch the receiver finds too large (413) until the halves fit', async () => {
    const r = await receiver((_path, _body, count) => (count > 2 ? { status: 413 } : { status: 200 }));
    const b = createOtlpBackend({ endpoint: r.url, headers: {}, timeout: 5, compression: 'none' }, ctx);
    expect(await b.write({ logs: [1, 2, 3, 4, 5].map(log), spans: [], metrics: [] })).toEqual({ status: 'success' });
    expect(r.seen.filter((s) => s.path === '/v1/logs').length).toBeGreaterThan(2);
  });

  it('rejects a batch for good on 400 without partial_success, each record with the reason', async () => {
    const r = await receiver(() => ({ status: 400, body: 'bad request' }));
    const b = createOtlpBackend({ endpoint: r.url, headers: {}, timeout: 5, compression: 'none' }, ctx);
    const res = await b.write({ logs: [log(1), log(2)], spans: [], metrics: [] });
    expect(res).toEqual({ status: 'failure', reasons: [{ id: 'id-1', reason: 'logs: http_400 bad request' }, { id: 'id-2', reason: 'logs: http_400 bad request' }] });
  });

  it('counts what a 200 with partial_success rejected, and treats the rest as stored', async () => {
    const r = await receiver(() => ({ status: 200, body: JSON.stringify({ partialSuccess: { rejectedLogRecords: '1', errorMessage: 'too old' } }) }));
    const counts: Record<string, number> = {};
    const diag = { ...createDiag(() => {}), count: (n: string, k = 1) => void (counts[n] = (counts[n] ?? 0) + k) };
    const b = createOtlpBackend({ endpoint: r.url, headers: {}, timeout: 5, compression: 'none' }, { dataDir: '/tmp', diag });
    expect(await b.write({ logs: [log(1), log(2)], spans: [], metrics: [] })).toEqual({ status: 'success' });
    expect(counts['otlp.logs_rejected']).toBe(1);
  });

  it('posts metric points to /v1/metrics in both encodings; they decode to the same points and ids, and a partial_success is counted', async () => {
    const p: MetricPoint = { point_id: '', name: 'orders', unit: '{order}', type: 'sum', temporality: 'delta', monotonic: true, time: '2026-12-06T10:00:00.000000Z', value: 3, attributes: { m: 'card' }, resource, scope };
    p.point_id = derivePointId(p);
    const counts: Record<string, number> = {};
    const diag = { ...createDiag(() => {}), count: (n: string, k = 1) => void (counts[n] = (counts[n] ?? 0) + k) };
    const r = await receiver(() => ({ status: 200, body: JSON.stringify({ partialSuccess: { rejectedDataPoints: '1', errorMessage: 'stale' } }) }));
    for (const protocol of ['http/protobuf', 'http/json'] as const) {
      const b = createOtlpBackend({ endpoint: r.url, headers: {}, timeout: 5, compression: 'gzip', protocol }, { dataDir: '/tmp', diag });
      expect(b.signals).toEqual(['log', 'span', 'metric']);
      expect(await b.write({ logs: [], spans: [], metrics: [p] })).toEqual({ status: 'success' });
    }
    expect(r.seen.map((s) => s.path)).toEqual(['/v1/metrics', '/v1/metrics']);
    for (const seen of r.seen) {
      const points = decodeMetrics(seen.body, { nowMs: Date.parse('2026-12-06T10:00:00Z') }).records;
      expect(points.map((q) => ({ ...q, point_id: derivePointId(q) }))).toEqual([p]);
    }
    expect(counts['otlp.metrics_rejected']).toBe(2);
  });

  it('rejects points for good on 400 with their point ids', async () => {
    const r = await receiver(() => ({ status: 400, body: 'no' }));
    const p: MetricPoint = { point_id: 'pid-1', name: 'g', type: 'gauge', time: '2026-12-06T10:00:00.000000Z', value: 1, attributes: {}, resource, scope };
    const b = createOtlpBackend({ endpoint: r.url, headers: {}, timeout: 5, compression: 'none' }, ctx);
    expect(await b.write({ logs: [], spans: [], metrics: [p] })).toEqual({ status: 'failure', reasons: [{ id: 'pid-1', reason: 'metrics: http_400 no' }] });
  });
});
