/**
 * Exactly once through the ingest, over real HTTP, into JSONL files, PostgreSQL and Elasticsearch: a request
 * sent again (a client retry, in either encoding) and a browser's close-then-replay (the same records as a
 * text/plain beacon, then as application/json from IndexedDB) are stored once in each; two identical records
 * of one request from a client without log.record.uid are stored twice in each.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { startIngest, type TestIngest } from './helpers/ingest.js';
import { hex, logRecordJson, logsRequest, spanJson, tracesRequest } from './helpers/otlp.js';
import { createPostgresBackend } from '../src/node/backends/postgres/index.js';
import { createElasticsearchBackend } from '../src/node/backends/elasticsearch/index.js';
import type { Backend } from '../src/node/backends/types.js';
import { createDiag } from '../src/shared/diag.js';
import { dropTagged } from './helpers/cleanup.js';

const tag = `dedupe${process.pid}${Date.now() % 100000}`;
const PG = { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', table_name: `${tag}_logs`, spans_table_name: `${tag}_spans` };
const ES = { hosts: ['http://127.0.0.1:9200'], index_pattern: `${tag}-logs-%Y.%m.%d`, span_index_pattern: `${tag}-traces-%Y.%m.%d`, template_name: tag };
let ingest: TestIngest;
let readers: Array<[string, Backend]> = [];

beforeAll(async () => {
  ingest = await startIngest({}, {}, [
    { backend_type: 'postgres', config: PG },
    { backend_type: 'elasticsearch', config: { ...ES, refresh: true } },
  ]);
  const ctx = { dataDir: join(ingest.dir, 'readers'), diag: createDiag(() => {}) };
  readers = [['postgres', await createPostgresBackend(PG, ctx)], ['elasticsearch', await createElasticsearchBackend(ES, ctx)]];
});

afterAll(async () => {
  for (const [, r] of readers) await r.close();
  await ingest?.close();
  await dropTagged(tag);
});

let traces = 0;
const newTrace = () => hex(0xd0d0_0000 + ++traces + (process.pid % 1000) * 1000, 32);

/** What a foreign OpenTelemetry SDK sends: records without log.record.uid, all with the same timestamp. */
async function sdkRecords(traceId: string, bodies: string[]) {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'foreign' }), processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('dedupe-test');
  const context = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: hex(7, 16), traceFlags: 1 });
  const at = new Date();
  for (const body of bodies) logger.emit({ severityNumber: SeverityNumber.INFO, body, attributes: { n: 1 }, timestamp: at, context });
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

async function post(path: string, body: string | Uint8Array, contentType: string): Promise<void> {
  const res = await fetch(`${ingest.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : Buffer.from(body) });
  expect({ path, status: res.status, body: await res.text() }).toMatchObject({ status: 200 });
}

/** Every backend's logs and spans of the trace, once everything accepted so far was delivered. */
async function stored(traceId: string) {
  expect(await ingest.handler.drain(30_000)).toBe(true);
  const out: Record<string, { logs: string[]; spans: number }> = {
    jsonl: {
      logs: ingest.logs().filter((l) => l.trace_id === traceId).map((l) => String(l.record_id)),
      spans: ingest.spans().filter((s) => s.trace_id === traceId).length,
    },
  };
  for (const [name, r] of readers) {
    const t = await r.getTrace!(traceId);
    out[name] = { logs: t.logs.map((l) => l.record_id), spans: t.spans.length };
  }
  return out;
}

function expectEverywhere(found: Record<string, { logs: string[]; spans: number }>, logs: number, spans = 0): string[] {
  for (const [name, f] of Object.entries(found)) {
    expect({ backend: name, logs: f.logs.length, distinct: new Set(f.logs).size, spans: f.spans }).toEqual({ backend: name, logs, distinct: logs, spans });
  }
  return [...found.jsonl.logs].sort();
}

describe('the ingest dedupe window, with JSONL, PostgreSQL and Elasticsearch', () => {
  it('stores a request sent again once, in JSON or protobuf, in every backend', async () => {
    const traceId = newTrace();
    const records = await sdkRecords(traceId, ['first', 'second']);
    const json = JsonLogsSerializer.serializeRequest(records) as Uint8Array;
    await post('/v1/logs', json, 'application/json');
    await post('/v1/logs', json, 'application/json');
    await post('/v1/logs', ProtobufLogsSerializer.serializeRequest(records) as Uint8Array, 'application/x-protobuf');
    expectEverywhere(await stored(traceId), 2);
  });

  it('stores two identical records of one request twice in every backend, and once again nothing when re-sent', async () => {
    const traceId = newTrace();
    const records = await sdkRecords(traceId, ['tick', 'tick']);
    await post('/v1/logs', JsonLogsSerializer.serializeRequest(records) as Uint8Array, 'application/json');
    const ids = expectEverywhere(await stored(traceId), 2);
    await post('/v1/logs', ProtobufLogsSerializer.serializeRequest(records) as Uint8Array, 'application/x-protobuf');
    expect(expectEverywhere(await stored(traceId), 2)).toEqual(ids);
  });

  it("stores a browser's beaconed records once when the next visit replays them from IndexedDB", async () => {
    const traceId = newTrace();
    const request = JSON.stringify(logsRequest([1, 2, 3].map((i) => logRecordJson(i, { traceId })), 'web'));
    // The beacon (text/plain: no preflight) on pagehide, then the replay by fetch on the next load.
    await post(`/v1/logs?sent_at=${Date.now()}`, request, 'text/plain;charset=UTF-8');
    await post(`/v1/logs?sent_at=${Date.now() + 5000}`, request, 'application/json');
    expectEverywhere(await stored(traceId), 3);
  });

  it('stores spans sent again once, and counts every duplicate in /metrics and /health', async () => {
    const traceId = newTrace();
    const request = JSON.stringify(tracesRequest([spanJson(1, traceId), spanJson(2, traceId)]));
    await post('/v1/traces', request, 'application/json');
    await post('/v1/traces', request, 'application/json');
    expectEverywhere(await stored(traceId), 0, 2);

    const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
    // 2 + 2 of the re-sent request, 2 of the identical pair's re-send, 3 of the replay; 2 spans.
    expect(metrics).toContain('isotel_ingest_duplicates_dropped_total{signal="logs"} 9');
    expect(metrics).toContain('isotel_ingest_duplicates_dropped_total{signal="traces"} 2');
    const health = (await (await fetch(`${ingest.url}/health`)).json()) as { dedupe: unknown };
    expect(health.dedupe).toEqual({ ids: 9, max_ids: 100_000, window_seconds: 3600, duplicates_dropped: 11 });
  });
});
