/**
 * `isotel serve --role writer` against the real broker: messages built by the official OTel JS protobuf
 * serializers (what a Collector or an SDK's kafka exporter produces) are consumed by a writer and stored in
 * JSONL and PostgreSQL exactly once, even when a message arrives twice; a message that is not OTLP goes to the
 * dead-letter topic with the reason and the writer keeps going.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { LoggerProvider, SimpleLogRecordProcessor, InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { serve, type RunningServer } from '../src/collector-endpoint/serve.js';
import { BROKERS, createTopics, produceRaw, readTopics, startKafka, uniqueTopic } from './helpers/kafka.js';
import { sdkResourceMetrics } from '../src/shared/otlp/fixtures/sdk-metrics.js';

const RUN = randomBytes(4).toString('hex');
const CONN = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const TABLE = `kafka_logs_${RUN}`;
const SPANS_TABLE = `kafka_spans_${RUN}`;
const METRICS_TABLE = `kafkametrics_points_${RUN}`;
const topics = { logs: uniqueTopic('w-logs'), spans: uniqueTopic('w-spans'), metrics: uniqueTopic('kafkametrics-w-metrics'), dead_letter: uniqueTopic('w-dlq') };
const pool = new pg.Pool({ ...CONN, max: 2 });
let dir: string;
let writer: RunningServer;

beforeAll(async () => {
  await startKafka();
  await createTopics([topics.logs, topics.spans, topics.metrics, topics.dead_letter]);
  dir = mkdtempSync(join(tmpdir(), 'isotel-kafka-writer-'));
  writer = await startWriter();
});

function startWriter(): Promise<RunningServer> {
  return serve({
    port: 0,
    role: 'writer',
    env: { ISOTEL_INGEST_WORKER: '0' },
    config: {
      logger: {
        enable_console: false,
        data_dir: join(dir, 'data'),
        backends: [
          { backend_type: 'filesystem', config: { log_file: join(dir, 'logs.jsonl'), retry_delay: 0.2 } },
          { backend_type: 'postgres', config: { ...CONN, table_name: TABLE, spans_table_name: SPANS_TABLE, metrics_table_name: METRICS_TABLE, retry_delay: 0.2 } },
        ],
      },
      ingest: { wal_dir: join(dir, 'wal') },
      kafka: { brokers: BROKERS, group_id: `writer-${RUN}`, topics, max_wait: 0.2 },
    },
    diagSink: () => {},
  });
}

afterAll(async () => {
  await writer?.close();
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}, ${SPANS_TABLE}, ${METRICS_TABLE}`).catch(() => undefined);
  await pool.end();
  rmSync(dir, { recursive: true, force: true });
});

/** N log records and spans as the OTel JS SDK makes them, serialized by its own protobuf serializers. */
async function otelMessages(n: number, run: string): Promise<{ logs: Uint8Array[]; spans: Uint8Array }> {
  const resource = resourceFromAttributes({ 'service.name': 'collector-side' });
  const logExporter = new InMemoryLogRecordExporter();
  const logs = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
  const logger = logs.getLogger('kafka-test');
  for (let i = 0; i < n; i++) logger.emit({ body: `otel record ${i}`, severityNumber: 9, severityText: 'INFO', attributes: { i, run } });
  const spanExporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(spanExporter)] }).getTracer('kafka-test');
  for (let i = 0; i < 10; i++) tracer.startSpan(`span ${i}`, { attributes: { run } }).end();
  const records = logExporter.getFinishedLogRecords();
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < records.length; i += 100) chunks.push(ProtobufLogsSerializer.serializeRequest(records.slice(i, i + 100))!);
  return { logs: chunks, spans: ProtobufTraceSerializer.serializeRequest(spanExporter.getFinishedSpans())! };
}

/**
 * The lines of `<stem>.jsonl` and of the writer's per-partition files beside it (`<stem>.kafka-<topic>-<partition>.jsonl`,
 * where a writer puts the records it reads from Kafka: each record once across the group's writers).
 */
function familyLines<T>(stem: string): T[] {
  const files = [`${stem}.jsonl`, ...readdirSync(dir).filter((n) => n.startsWith(`${stem}.kafka-`) && /-\d+\.jsonl(\.\d+)?$/.test(n))];
  return files.flatMap((f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : []));
}

function jsonl(run: string): Array<Record<string, unknown>> {
  return familyLines<Record<string, unknown>>('logs').filter((r) => (r.attributes as Record<string, unknown>).run === run);
}

async function pgCount(table: string, run: string): Promise<{ rows: number; distinct: number }> {
  const r = await pool.query<{ rows: string; distinct: string }>(`SELECT count(*) AS rows, count(DISTINCT record_id) AS distinct FROM ${table} WHERE attributes->>'run' = $1`, [run]).catch(() => ({ rows: [{ rows: '0', distinct: '0' }] }));
  return { rows: Number(r.rows[0].rows), distinct: Number(r.rows[0].distinct) };
}

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('isotel serve --role writer', () => {
  it('stores what the official OTel protobuf serializers produced in JSONL and PostgreSQL exactly once, each message sent twice', async () => {
    const N = 1000;
    const m = await otelMessages(N, 'official');
    const once = [...m.logs.map((value) => ({ topic: topics.logs, value })), { topic: topics.spans, value: m.spans }];
    await produceRaw([...once, ...once]);
    await until(`${N} rows and lines`, async () => (await pgCount(TABLE, 'official')).rows >= N && jsonl('official').length >= N);
    await writer.handler.drain(10_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await pgCount(TABLE, 'official')).toEqual({ rows: N, distinct: N });
    const lines = jsonl('official');
    expect(lines).toHaveLength(N);
    expect(new Set(lines.map((l) => (l.attributes as Record<string, unknown>).i)).size).toBe(N);
    expect(lines[0].resource).toMatchObject({ 'service.name': 'collector-side' });
    const spans = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${SPANS_TABLE} WHERE attributes->>'run' = 'official'`);
    expect(Number(spans.rows[0].n)).toBe(10);
    expect(writer.handler.health().kafka_writer).toMatchObject({ dead_lettered: 0 });
  });

  it('stores metric points the official ProtobufMetricsSerializer produced to otlp_metrics once in JSONL and PostgreSQL, each message sent twice', async () => {
    const service = `kafkametrics-${RUN}`;
    const value = ProtobufMetricsSerializer.serializeRequest(await sdkResourceMetrics('cumulative', service))!;
    const consumed = () => writer.handler.health().kafka_writer?.consumed ?? 0;
    const before = consumed();
    await produceRaw([{ topic: topics.metrics, key: 'a', value }, { topic: topics.metrics, key: 'b', value }]);
    const count = async () => {
      const r = await pool.query<{ rows: string; distinct: string }>(`SELECT count(*) AS rows, count(DISTINCT point_id) AS distinct FROM ${METRICS_TABLE} WHERE service_name = $1`, [service]).catch(() => ({ rows: [{ rows: '0', distinct: '0' }] }));
      return { rows: Number(r.rows[0].rows), distinct: Number(r.rows[0].distinct) };
    };
    const lines = () => familyLines<{ point_id: string; type: string; resource: Record<string, unknown> }>('logs.metrics').filter((p) => p.resource['service.name'] === service);
    // Both copies consumed (the writer's count), then everything delivered: 5 points (the SDK fixture's 5 streams) once.
    await until('both messages and 5 points', async () => (await count()).rows >= 5 && lines().length >= 5 && consumed() >= before + 2);
    await writer.handler.drain(10_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await count()).toEqual({ rows: 5, distinct: 5 });
    const stored = lines();
    expect(stored).toHaveLength(5);
    expect(new Set(stored.map((p) => p.point_id)).size).toBe(5);
    expect(stored.map((p) => p.type).sort()).toEqual(['exponential_histogram', 'gauge', 'histogram', 'sum', 'sum']);
  });

  it('puts a message that is not OTLP protobuf on the dead-letter topic with the reason, and stores the next one', async () => {
    const good = await otelMessages(5, 'after-bad');
    await produceRaw([{ topic: topics.logs, key: 'bad', value: Buffer.from('this is not protobuf \xff\xff') }, { topic: topics.logs, value: good.logs[0] }]);
    await until('the 5 records after the bad message', async () => (await pgCount(TABLE, 'after-bad')).rows >= 5);
    const dead = await readTopics([topics.dead_letter], (msgs) => msgs.length >= 1, { timeoutMs: 30_000, idleMs: 500 });
    expect(dead).toHaveLength(1);
    expect(dead[0].key.toString()).toBe('bad');
    expect(dead[0].headers.get('isotel.reason')).toMatch(/not an OTLP protobuf ExportLogsServiceRequest/);
    expect(dead[0].headers.get('isotel.topic')).toBe(topics.logs);
    expect(writer.handler.health().kafka_writer).toMatchObject({ dead_lettered: 1 });
    const health = (await (await fetch(`${writer.url}/health`)).json()) as { kafka_writer?: { dead_lettered: number; consumed: number } };
    expect(health.kafka_writer).toMatchObject({ dead_lettered: 1 });
  });

  it('a writer closed mid-run hands its partitions to the next member of the group: every record stored once', async () => {
    const N = 3000;
    const m = await otelMessages(N, 'handoff');
    await produceRaw(m.logs.map((value) => ({ topic: topics.logs, value })));
    await until('the first records', async () => (await pgCount(TABLE, 'handoff')).rows > 0);
    await writer.close();
    const partly = (await pgCount(TABLE, 'handoff')).rows;
    if (process.env.KDEBUG) console.error('handoff: stored before the close', partly);
    writer = await startWriter();
    await until(`${N} rows`, async () => (await pgCount(TABLE, 'handoff')).rows >= N && jsonl('handoff').length >= N);
    await writer.handler.drain(10_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await pgCount(TABLE, 'handoff')).toEqual({ rows: N, distinct: N });
    expect(jsonl('handoff')).toHaveLength(N);
    expect(partly).toBeLessThanOrEqual(N);
  });
});
