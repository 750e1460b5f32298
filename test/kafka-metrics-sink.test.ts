/**
 * Metric points through the kafka sink on the shared broker (never stopped here): `isotel serve --role ingest`
 * takes POST /v1/metrics from the official OTLP protobuf exporter and produces the points to its otlp_metrics
 * topic (a kafkametrics-prefixed one), each point in the partition of its stream identity; read back, the
 * messages decode to the same points with the same ids as the request held.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { serve, type RunningServer } from '../src/collector-endpoint/serve.js';
import { decodeMetrics, decodeMetricsProtobuf } from '../src/shared/otlp/index.js';
import { derivePointId, streamKey } from '../src/shared/otlp/derive-id.js';
import { sdkResourceMetrics } from '../src/shared/otlp/fixtures/sdk-metrics.js';
import { BROKERS, createTopics, partitionOfKey, readTopics, startKafka, uniqueTopic } from './helpers/kafka.js';

const topics = { logs: uniqueTopic('kafkametrics-logs'), spans: uniqueTopic('kafkametrics-spans'), metrics: uniqueTopic('kafkametrics-metrics'), dead_letter: uniqueTopic('kafkametrics-dlq') };
let ingest: RunningServer;

beforeAll(async () => {
  await startKafka();
  await createTopics([topics.logs, topics.spans, topics.metrics, topics.dead_letter]);
  ingest = await serve({ port: 0, role: 'ingest', config: { logger: { enable_console: false }, kafka: { brokers: BROKERS, topics, timeout: 5 } }, diagSink: () => {} });
});

afterAll(async () => {
  await ingest?.close();
});

describe('isotel serve --role ingest: metric points to otlp_metrics', () => {
  it('produces the points of POST /v1/metrics to the metrics topic, placed by stream, decoding to the same points and ids', async () => {
    const service = `kafkametrics-sink-${process.pid}`;
    const rm = await sdkResourceMetrics('delta', service);
    const exporter = new OTLPMetricExporter({ url: `${ingest.url}/v1/metrics` });
    const result = await new Promise<ExportResult>((resolve) => exporter.export(rm, resolve));
    await exporter.shutdown();
    expect([result.code, result.error?.message]).toEqual([ExportResultCode.SUCCESS, undefined]);

    const sent = decodeMetrics(JSON.parse(new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(rm))));
    const expected = sent.records.map((p) => ({ ...p, point_id: derivePointId(p) }));
    expect(expected).toHaveLength(5);

    const points = (m: Array<{ value: Buffer }>) => m.reduce((n, x) => n + decodeMetrics(decodeMetricsProtobuf(x.value)).records.length, 0);
    const messages = await readTopics([topics.metrics], (m) => points(m) >= 5, { timeoutMs: 60_000, idleMs: 1000 });
    const got = messages.flatMap((m) =>
      decodeMetrics(decodeMetricsProtobuf(m.value)).records.map((p) => {
        const point = { ...p, point_id: derivePointId(p) };
        expect(m.partition).toBe(partitionOfKey(streamKey(point)));
        expect(partitionOfKey(m.key.toString())).toBe(m.partition);
        return point;
      }),
    );
    expect(got).toHaveLength(5);
    const byId = new Map(got.map((p) => [p.point_id, p]));
    for (const p of expected) expect(byId.get(p.point_id)).toEqual(p);
    const health = (await (await fetch(`${ingest.url}/health`)).json()) as { kafka_ingest: { topics: { metrics: string }; produce: { acknowledged_records: number } } };
    expect(health.kafka_ingest.topics.metrics).toBe(topics.metrics);
    expect(health.kafka_ingest.produce.acknowledged_records).toBe(5);
  });
});
