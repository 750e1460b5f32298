import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { context, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { LoggerProvider, BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPLogExporter as LogsHttp } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as TracesHttp } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TracesProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { startServe, writeYaml, type ServeProcess } from './helpers/serve-process.js';
import { createPostgresBackend } from '../src/node/backends/postgres/index.js';
import { createElasticsearchBackend } from '../src/node/backends/elasticsearch/index.js';
import { createDiag } from '../src/shared/diag.js';
import type { LogRecord, SpanRecord } from '../src/shared/model.js';
import { dropTagged } from './helpers/cleanup.js';

const tag = `peer${process.pid}${Date.now() % 100000}`;
let dir: string;
let serve: ServeProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-peers-'));
  const yaml = writeYaml(join(dir, 'isotel.yaml'), `
logger:
  service_name: peers-ingest
  enable_console: false
  data_dir: ${dir}/data
  backends:
    - backend_type: filesystem
      config: { log_file: ${dir}/logs/peers.jsonl }
    - backend_type: postgres
      config: { host: 127.0.0.1, port: 5432, database: test, user: postgres, table_name: ${tag}_logs, spans_table_name: ${tag}_spans }
    - backend_type: elasticsearch
      config: { hosts: ["http://127.0.0.1:9200"], index_pattern: "${tag}-logs-%Y.%m.%d", span_index_pattern: "${tag}-traces-%Y.%m.%d", template_name: ${tag}, refresh: true }
ingest:
  wal_dir: ${dir}/wal
`);
  serve = await startServe(yaml, join(dir, 'serve.log'));
});

afterAll(async () => {
  await serve?.kill();
  await dropTagged(tag);
  rmSync(dir, { recursive: true, force: true });
});

const resource = resourceFromAttributes({ 'service.name': 'peer-client', 'service.version': '2.0.0' });
const attributes = { 's': 'text "quoted" ü', 'i': 42, 'd': 3.25, 'b': true, 'arr': ['a', 'b'], 'nums': [1, 2, 3] };

async function sendLogs(exporter: LogsHttp | LogsProto, traceId: string, spanId: string, body: string) {
  const provider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter })] });
  const ctx = trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: 1 });
  provider.getLogger('peer-scope', '1.2.3').emit({
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    body,
    attributes,
    context: ctx,
    timestamp: new Date('2026-01-02T03:04:05.678Z'),
  });
  await provider.forceFlush();
  await provider.shutdown();
}

async function sendSpans(exporter: TracesHttp | TracesProto, name: string): Promise<{ traceId: string; spanId: string; childId: string }> {
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  const tracer = provider.getTracer('peer-scope', '1.2.3');
  const parent = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes });
  const child = tracer.startSpan(`${name}.child`, { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), parent));
  child.addEvent('cache miss', { key: 'k1' });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  child.end();
  parent.end();
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId: parent.spanContext().traceId, spanId: parent.spanContext().spanId, childId: child.spanContext().spanId };
}

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

function jsonl<T>(file: string): T[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : [];
}

function expectLog(r: LogRecord, body: string, traceId: string, spanId: string) {
  expect(r.body).toBe(body);
  expect(r.severity_number).toBe(13);
  expect(r.severity_text).toBe('WARN');
  expect(r.trace_id).toBe(traceId);
  expect(r.span_id).toBe(spanId);
  expect(r.timestamp).toBe('2026-01-02T03:04:05.678000Z');
  expect(r.attributes).toEqual(attributes);
  expect(r.resource['service.name']).toBe('peer-client');
  expect(r.resource['service.version']).toBe('2.0.0');
  expect(r.scope).toMatchObject({ name: 'peer-scope', version: '1.2.3' });
}

function expectSpans(spans: SpanRecord[], ids: { traceId: string; spanId: string; childId: string }, name: string) {
  const parent = spans.find((s) => s.span_id === ids.spanId)!;
  const child = spans.find((s) => s.span_id === ids.childId)!;
  expect(parent.name).toBe(name);
  expect(parent.kind).toBe('SERVER');
  expect(parent.attributes).toEqual(attributes);
  expect(child.parent_span_id).toBe(ids.spanId);
  expect(child.kind).toBe('CLIENT');
  expect(child.status).toEqual({ code: 'ERROR', message: 'boom' });
  expect(child.events[0]).toMatchObject({ name: 'cache miss', attributes: { key: 'k1' } });
  expect(parent.resource['service.name']).toBe('peer-client');
}

describe('official OpenTelemetry exporters → isotel serve → JSONL, PostgreSQL, Elasticsearch', () => {
  const cases = [
    { name: 'otlp-http (JSON)', logs: (u: string) => new LogsHttp({ url: `${u}/v1/logs` }), spans: (u: string) => new TracesHttp({ url: `${u}/v1/traces` }) },
    { name: 'otlp-proto', logs: (u: string) => new LogsProto({ url: `${u}/v1/logs` }), spans: (u: string) => new TracesProto({ url: `${u}/v1/traces` }) },
  ];
  for (const c of cases) {
    it(`${c.name}: every field arrives intact in every backend`, async () => {
      const ids = await sendSpans(c.spans(serve.url), `op ${c.name}`);
      const body = `hello from ${c.name}`;
      await sendLogs(c.logs(serve.url), ids.traceId, ids.spanId, body);

      const file = join(dir, 'logs', 'peers.jsonl');
      const log = await waitFor(async () => jsonl<LogRecord>(file).find((r) => r.body === body));
      expectLog(log, body, ids.traceId, ids.spanId);
      const spans = await waitFor(async () => {
        const s = jsonl<SpanRecord>(join(dir, 'logs', 'peers.spans.jsonl')).filter((x) => x.trace_id === ids.traceId);
        return s.length === 2 ? s : undefined;
      });
      expectSpans(spans, ids, `op ${c.name}`);

      const ctx = { dataDir: join(dir, 'q'), diag: createDiag(() => {}) };
      const pg = await createPostgresBackend({ host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', table_name: `${tag}_logs`, spans_table_name: `${tag}_spans` }, ctx);
      const es = await createElasticsearchBackend({ hosts: ['http://127.0.0.1:9200'], index_pattern: `${tag}-logs-%Y.%m.%d`, span_index_pattern: `${tag}-traces-%Y.%m.%d`, template_name: tag }, ctx);
      try {
        for (const backend of [pg, es]) {
          const t = await waitFor(async () => {
            const r = await backend.getTrace!(ids.traceId);
            return r.logs.length === 1 && r.spans.length === 2 ? r : undefined;
          });
          expectLog(t.logs[0], body, ids.traceId, ids.spanId);
          expect(t.logs[0].record_id).toBe(log.record_id);
          expectSpans(t.spans, ids, `op ${c.name}`);
        }
      } finally {
        await pg.close();
        await es.close();
      }
    });
  }
});
