import { describe, it, expect, afterEach } from 'vitest';
import { gzipSync } from 'node:zlib';
import { startIngest, type TestIngest } from './helpers/ingest.js';
import { logRecordJson, logsRequest } from './helpers/otlp.js';

let ingest: TestIngest | undefined;
afterEach(async () => {
  await ingest?.close();
  ingest = undefined;
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('ingest protections', () => {
  it('stores valid records and answers 200; partial_success names the rejected ones while valid siblings are kept', async () => {
    ingest = await startIngest();
    const res = await post(`${ingest.url}/v1/logs`, logsRequest([logRecordJson(1), logRecordJson(2, { traceId: 'XYZ' }), logRecordJson(3)]));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess?: { rejectedLogRecords: string; errorMessage: string } };
    expect(body.partialSuccess?.rejectedLogRecords).toBe('1');
    expect(body.partialSuccess?.errorMessage).toContain('traceId');
    expect(await ingest.handler.drain(5000)).toBe(true);
    expect(ingest.logs().map((l) => l.body)).toEqual(['message 1', 'message 3']);
  });

  it('accepts gzip and text/plain (sendBeacon) bodies, refuses other content types with 415', async () => {
    ingest = await startIngest();
    const gz = await fetch(`${ingest.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(Buffer.from(JSON.stringify(logsRequest([logRecordJson(1)])))),
    });
    expect(gz.status).toBe(200);
    expect((await post(`${ingest.url}/v1/logs`, logsRequest([logRecordJson(2)]), { 'content-type': 'text/plain;charset=UTF-8' })).status).toBe(200);
    const xml = await post(`${ingest.url}/v1/logs`, '<a/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    await ingest.handler.drain(5000);
    expect(ingest.logs()).toHaveLength(2);
  });

  it('answers 400 with a reason for an undecodable body', async () => {
    ingest = await startIngest();
    const res = await post(`${ingest.url}/v1/logs`, '{"resourceLogs": [');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('not valid OTLP JSON');
  });

  it('refuses bodies over max_body_bytes with 413, also when only the decompressed size is over', async () => {
    ingest = await startIngest({ max_body_bytes: 2000 });
    const big = logsRequest(Array.from({ length: 50 }, (_, i) => logRecordJson(i)));
    expect((await post(`${ingest.url}/v1/logs`, big)).status).toBe(413);
    const bomb = gzipSync(Buffer.from(JSON.stringify({ resourceLogs: [], pad: 'x'.repeat(1_000_000) })));
    expect(bomb.length).toBeLessThan(2000);
    const res = await fetch(`${ingest.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb });
    expect(res.status).toBe(413);
  });

  it('requires the ingest key when keys are configured, as a header or a query parameter', async () => {
    ingest = await startIngest({ ingest_keys: ['s3cret'] });
    const req = logsRequest([logRecordJson(1)]);
    expect((await post(`${ingest.url}/v1/logs`, req)).status).toBe(401);
    expect((await post(`${ingest.url}/v1/logs`, req, { 'x-isotel-ingest-key': 'wrong' })).status).toBe(401);
    expect((await post(`${ingest.url}/v1/logs`, req, { 'x-isotel-ingest-key': 's3cret' })).status).toBe(200);
    expect((await post(`${ingest.url}/v1/logs?ingest_key=s3cret`, logsRequest([logRecordJson(2)]))).status).toBe(200);
  });

  it('answers CORS preflights for allowed origins only and refuses other origins with 403', async () => {
    ingest = await startIngest({ cors_allowed_origins: ['http://localhost:3000'] });
    const pre = await fetch(`${ingest.url}/v1/logs`, { method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(pre.headers.get('access-control-allow-headers')).toContain('traceparent');
    expect(pre.headers.get('vary')).toContain('Origin');
    const ok = await post(`${ingest.url}/v1/logs`, logsRequest([logRecordJson(1)]), { origin: 'http://localhost:3000' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const evil = await post(`${ingest.url}/v1/logs`, logsRequest([logRecordJson(2)]), { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    await ingest.handler.drain(5000);
    expect(ingest.logs()).toHaveLength(1);
  });

  it('rate-limits per client with 429 and Retry-After', async () => {
    ingest = await startIngest({ rate_limit: { records_per_second: 10, burst: 20 } });
    const batch = () => logsRequest(Array.from({ length: 10 }, (_, i) => logRecordJson(i)));
    expect((await post(`${ingest.url}/v1/logs`, batch())).status).toBe(200);
    expect((await post(`${ingest.url}/v1/logs`, batch())).status).toBe(200);
    const limited = await post(`${ingest.url}/v1/logs`, batch());
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('redacts secrets in bodies and attributes before storing', async () => {
    ingest = await startIngest({ redact: { patterns: ['order-\\d{6}'] } });
    const rec = logRecordJson(1, {
      body: { stringValue: 'login with Authorization: Bearer abc.def.ghi for order-123456' },
      attributes: [
        { key: 'password', value: { stringValue: 'hunter2' } },
        { key: 'card', value: { stringValue: '4111 1111 1111 1111' } },
      ],
    });
    expect((await post(`${ingest.url}/v1/logs`, logsRequest([rec]))).status).toBe(200);
    await ingest.handler.drain(5000);
    const stored = JSON.stringify(ingest.logs());
    expect(stored).not.toContain('hunter2');
    expect(stored).not.toContain('abc.def.ghi');
    expect(stored).not.toContain('4111 1111 1111 1111');
    expect(stored).not.toContain('order-123456');
    expect(stored).toContain('[REDACTED]');
  });

  it('answers 503 with Retry-After and a reason once the write-ahead log budget is full, and loses nothing it acknowledged', async () => {
    // One WAL segment (64 MB) never fills, so the bytes stay counted even after delivery: the budget stays full.
    ingest = await startIngest({ wal_max_bytes: 4096 });
    const acked: string[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 100 && !refused; i++) {
      const res = await post(`${ingest.url}/v1/logs`, logsRequest([logRecordJson(i, { body: { stringValue: `budget ${i}` } })]));
      if (res.status === 200) acked.push(`budget ${i}`);
      else refused = res;
    }
    expect(acked.length).toBeGreaterThan(0);
    expect(refused?.status).toBe(503);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const error = (await refused!.json()) as { code: number; message: string };
    expect(error.code).toBe(14); // google.rpc.Code UNAVAILABLE: OTLP clients retry
    expect(error.message).toContain('write-ahead log full');
    // Still full for the next request; both refusals are counted.
    expect((await post(`${ingest.url}/v1/logs`, logsRequest([logRecordJson(999)]))).status).toBe(503);
    expect(await ingest.handler.drain(5000)).toBe(true);
    expect(ingest.logs().map((l) => l.body)).toEqual(acked);
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
    expect(metrics).toMatch(/isotel_ingest_records_rejected_total\{reason="wal_full"\} 2/);
  });

  it('applies ingest.redact keys, replacement and use_defaults on top of the logger\'s before storing', async () => {
    ingest = await startIngest({ redact: { keys: ['session_ref'], replacement: '<gone>' } }, { redact: { keys: ['tenant_pin'] } });
    const rec = logRecordJson(1, {
      attributes: [
        { key: 'session_ref', value: { stringValue: 'sess-4242' } },
        { key: 'tenant_pin', value: { stringValue: 'pin-7777' } },
        { key: 'password', value: { stringValue: 'hunter2' } },
        { key: 'plain', value: { stringValue: 'kept' } },
      ],
    });
    expect((await post(`${ingest.url}/v1/logs`, logsRequest([rec]))).status).toBe(200);
    await ingest.handler.drain(5000);
    const [stored] = ingest.logs() as Array<{ attributes: Record<string, unknown> }>;
    expect(stored.attributes.session_ref).toBe('<gone>');
    expect(stored.attributes.tenant_pin).toBe('<gone>');
    expect(stored.attributes.password).toBe('<gone>');
    expect(stored.attributes.plain).toBe('kept');
    expect(JSON.stringify(stored)).not.toMatch(/sess-4242|pin-7777|hunter2/);
  });

  it('stores a client retry of records without log.record.uid once (ids derived from content)', async () => {
    ingest = await startIngest();
    const rec = { timeUnixNano: '1751798096123456789', severityNumber: 9, body: { stringValue: 'no uid' } };
    for (let i = 0; i < 3; i++) expect((await post(`${ingest.url}/v1/logs?sent_at=${Date.now()}`, logsRequest([rec]))).status).toBe(200);
    await ingest.handler.drain(5000);
    const ids = new Set(ingest.logs().map((l) => l.record_id));
    expect(ids.size).toBe(1);
    expect(ingest.logs()).toHaveLength(1); // the dedupe window: the JSONL file has it once too
  });

  it('corrects clock skew of senders that state their send time', async () => {
    ingest = await startIngest();
    const skewMs = 3_600_000; // the client's clock is an hour behind
    const t = BigInt(Date.now() - skewMs) * 1_000_000n;
    const rec = logRecordJson(1, { timeUnixNano: String(t) });
    expect((await post(`${ingest.url}/v1/logs?sent_at=${Date.now() - skewMs}`, logsRequest([rec]))).status).toBe(200);
    await ingest.handler.drain(5000);
    const [stored] = ingest.logs() as Array<{ timestamp: string; attributes: Record<string, unknown> }>;
    expect(Math.abs(Date.parse(stored.timestamp) - Date.now())).toBeLessThan(5000);
    expect(Math.abs(Number(stored.attributes['isotel.clock_skew_ms']) - skewMs)).toBeLessThan(5000);
  });

  it('serves /health, /metrics and reads a trace back from the query backend', async () => {
    ingest = await startIngest();
    const rec = logRecordJson(7);
    await post(`${ingest.url}/v1/logs`, logsRequest([rec]));
    await ingest.handler.drain(5000);
    const health = await fetch(`${ingest.url}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('healthy');
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
    expect(metrics).toContain('isotel_ingest_records_accepted_total{signal="logs"} 1');
    expect(metrics).toMatch(/isotel_backend_delivered_total\{backend="filesystem"\} 1/);
    const trace = await fetch(`${ingest.url}/v1/traces/${rec.traceId}`);
    expect(trace.status).toBe(200);
    expect(((await trace.json()) as { logs: unknown[] }).logs).toHaveLength(1);
    expect((await fetch(`${ingest.url}/v1/traces/nothex`)).status).toBe(400);
  });
});

describe('ingest CORS for pages on the same origin', () => {
  it('accepts a same-origin POST (browsers send Origin on those too) without an allow-list entry', async () => {
    const i = await startIngest({ cors_allowed_origins: [] });
    try {
      const host = new URL(i.url).host;
      const res = await post(`${i.url}/v1/logs`, logsRequest([logRecordJson(1)]), { origin: `http://${host}` });
      expect(res.status).toBe(200);
      const other = await post(`${i.url}/v1/logs`, logsRequest([logRecordJson(2)]), { origin: 'http://localhost:1' });
      expect(other.status).toBe(403);
    } finally {
      await i.close();
    }
  });
});
