import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter as HttpJsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { serve, type RunningServer } from '../src/collector-endpoint/index.js';
import type { MetricPoint } from '../src/shared/model.js';
import { sdkResourceMetrics } from '../src/shared/otlp/fixtures/sdk-metrics.js';
import { createDiag } from '../src/shared/diag.js';
import { createPostgresBackend } from '../src/node/backends/postgres/index.js';
import { METRIC_COLUMNS } from '../src/node/backends/postgres/metric-schema.js';
import { createElasticsearchBackend } from '../src/node/backends/elasticsearch/index.js';
import { dropTagged } from './helpers/cleanup.js';
import { storeConfigs } from './helpers/store-configs.js';

/**
 * Metric points through `isotel serve` into JSONL, PostgreSQL and Elasticsearch: the official OTel metrics
 * exporters (OTLP/HTTP JSON and protobuf) send unchanged, every request twice; a hand-written request adds what
 * the JS SDK never makes (a summary, exemplars, a point flagged NO_RECORDED_VALUE) and bad points, which are
 * rejected one by one with reasons while their valid siblings are stored. Each point is stored exactly once.
 */
const tag = `metrics_ingest_${randomBytes(3).toString('hex')}`;
const { postgres: PG_CONFIG, elasticsearch: ES_CONFIG } = storeConfigs(tag);
const NOW_NS = BigInt(Date.now()) * 1_000_000n;
const TRACE = randomBytes(16).toString('hex');
const SPAN = randomBytes(8).toString('hex');
const kv = (key: string, stringValue: string) => ({ key, value: { stringValue } });
const at = (ms: number) => String(NOW_NS - BigInt(ms) * 1_000_000n);

/** What the SDK cannot send, plus four bad points beside two good ones. */
const handWritten = {
  resourceMetrics: [
    {
      resource: { attributes: [kv('service.name', 'metrics-raw')] },
      scopeMetrics: [
        {
          scope: { name: 'raw' },
          metrics: [
            { name: 'rpc.latency', unit: 's', summary: { dataPoints: [{ timeUnixNano: at(1), count: '4', sum: 2, quantileValues: [{ quantile: 0.5, value: 0.4 }, { quantile: 0.99, value: 1.1 }] }] } },
            {
              name: 'jobs.done',
              sum: {
                aggregationTemporality: 1,
                isMonotonic: true,
                dataPoints: [
                  { timeUnixNano: at(2), startTimeUnixNano: at(60_000), asInt: '5', exemplars: [{ timeUnixNano: at(3), asDouble: 1, traceId: TRACE, spanId: SPAN, filteredAttributes: [kv('job', 'j1')] }] },
                  { timeUnixNano: at(3), flags: 1, attributes: [kv('queue', 'idle')] },
                  { timeUnixNano: at(4), asInt: '-3', attributes: [kv('queue', 'bad')] },
                ],
              },
            },
            { name: 'temp', gauge: { dataPoints: [{ timeUnixNano: at(5), asDouble: 'NaN' }] } },
            { name: 'sizes', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: at(6), count: '3', bucketCounts: ['1', '2'], explicitBounds: [1, 2] }] } },
            { name: '1st-bad', gauge: { dataPoints: [{ timeUnixNano: at(7), asDouble: 1 }] } },
          ],
        },
      ],
    },
  ],
};

let dir: string;
let ingest: RunningServer;
const SDK_TYPES = ['exponential_histogram', 'gauge', 'histogram', 'sum', 'sum'];

function exportTwice(exporter: HttpJsonExporter | ProtoExporter, rm: ResourceMetrics): Promise<ExportResult[]> {
  const once = () => new Promise<ExportResult>((resolve) => exporter.export(rm, resolve));
  return Promise.all([once(), once()]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-metrics-ingest-'));
  const backends = [
    { backend_type: 'filesystem', config: { log_file: join(dir, 'logs', 'app.jsonl') } },
    { backend_type: 'postgres', config: PG_CONFIG },
    { backend_type: 'elasticsearch', config: ES_CONFIG },
  ];
  ingest = await serve({
    config: { logger: { service_name: 'metrics-ingest', enable_console: false, data_dir: join(dir, 'data'), backends }, ingest: { wal_dir: join(dir, 'wal') } },
    port: 0,
    diagSink: () => {},
  });
  const url = `${ingest.url}/v1/metrics`;
  const json = new HttpJsonExporter({ url });
  const proto = new ProtoExporter({ url });
  const results = [
    ...(await exportTwice(json, await sdkResourceMetrics('cumulative', 'metrics-json'))),
    ...(await exportTwice(proto, await sdkResourceMetrics('delta', 'metrics-proto'))),
  ];
  expect(results.map((r) => [r.code, r.error?.message])).toEqual(Array(4).fill([ExportResultCode.SUCCESS, undefined]));
  await Promise.all([json.shutdown(), proto.shutdown()]);
  expect(await ingest.handler.drain(60_000)).toBe(true);
});

afterAll(async () => {
  await ingest?.close();
  const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS ${tag}_metrics`).finally(() => client.end());
  await dropTagged(tag);
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /v1/metrics with hand-written OTLP JSON', () => {
  it('stores the good points, and rejects each bad one with its reason (partial success)', async () => {
    const send = () => fetch(`${ingest.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(handWritten) });
    const answers = [await send(), await send()];
    for (const a of answers) {
      expect(a.status).toBe(200);
      const body = (await a.json()) as { partialSuccess: { rejectedDataPoints: string; errorMessage: string } };
      expect(body.partialSuccess.rejectedDataPoints).toBe('4');
      const reasons = body.partialSuccess.errorMessage;
      expect(reasons).toContain('metrics[1].sum.dataPoints[2].asInt: negative value -3 on a monotonic delta sum');
      expect(reasons).toContain('metrics[2].gauge.dataPoints[0].asDouble: NaN is not a valid value');
      expect(reasons).toContain('metrics[3].histogram.dataPoints[0].bucketCounts: 2 bucket counts for 2 explicit bounds');
      expect(reasons).toContain('metrics[4].name: invalid instrument name "1st-bad"');
    }
    expect(await ingest.handler.drain(60_000)).toBe(true);
  });
});

/** Every stored point by backend: [point_id, name, type] (JSONL and ES keep the whole point too). */
async function stored(backend: string): Promise<Array<{ point_id: string; name: string; type: string; raw: Record<string, unknown> }>> {
  if (backend === 'jsonl') {
    const files = readdirSync(join(dir, 'logs')).filter((f) => f.startsWith('app.metrics.jsonl'));
    const lines = files.flatMap((f) => readFileSync(join(dir, 'logs', f), 'utf8').split('\n').filter(Boolean));
    return lines.map((l) => JSON.parse(l) as MetricPoint).map((p) => ({ point_id: p.point_id, name: p.name, type: p.type, raw: p as unknown as Record<string, unknown> }));
  }
  if (backend === 'postgres') {
    const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
    await client.connect();
    try {
      const r = await client.query<Record<string, unknown>>(`SELECT * FROM ${tag}_metrics`);
      return r.rows.map((row) => ({ point_id: String(row.point_id), name: String(row.name), type: String(row.type), raw: row }));
    } finally {
      await client.end();
    }
  }
  const res = await fetch(`http://127.0.0.1:9200/${tag}-metrics/_search?size=1000`);
  const hits = ((await res.json()) as { hits: { hits: Array<{ _id: string; _index: string; _source: Record<string, unknown> }> } }).hits.hits;
  return hits.map((h) => ({ point_id: h._id, name: String(h._source.name), type: String(h._source.type), raw: { ...h._source, _index: h._index } }));
}

describe.each(['jsonl', 'postgres', 'elasticsearch'])('metric points in %s', (backend) => {
  it('holds every point of every type exactly once, although every request was sent twice', async () => {
    const points = await stored(backend);
    expect(new Set(points.map((p) => p.point_id)).size).toBe(points.length);
    const raw = points.filter((p) => ['rpc.latency', 'jobs.done'].includes(p.name));
    expect(raw.map((p) => p.type).sort()).toEqual(['sum', 'sum', 'summary']);
    const sdk = points.filter((p) => !['rpc.latency', 'jobs.done'].includes(p.name));
    expect(sdk.map((p) => p.type).sort()).toEqual([...SDK_TYPES, ...SDK_TYPES].sort());
    expect(points).toHaveLength(13);
  });

  it('keeps values, histogram buckets, quantiles and exemplars', async () => {
    const points = await stored(backend);
    const one = (name: string, service?: string) =>
      points.find((p) => p.name === name && (!service || JSON.stringify(p.raw).includes(service)))!.raw;
    const values = (r: Record<string, unknown>) => (backend === 'elasticsearch' ? (r.point as Record<string, unknown>) : r);
    expect(Number(values(one('orders', 'metrics-json')).value)).toBe(3);
    expect(values(one('http.server.request.duration', 'metrics-proto'))).toMatchObject({ bucket_counts: [1, 1, 1, 1], explicit_bounds: [0.1, 0.5, 1] });
    expect(values(one('rpc.latency'))).toMatchObject({ quantiles: [{ quantile: 0.5, value: 0.4 }, { quantile: 0.99, value: 1.1 }] });
    const jobs = points.filter((p) => p.name === 'jobs.done').map((p) => p.raw);
    const withExemplar = jobs.find((j) => Array.isArray(j.exemplars))!;
    expect(withExemplar.exemplars).toEqual([expect.objectContaining({ trace_id: TRACE, span_id: SPAN, value: 1, filtered_attributes: { job: 'j1' } })]);
    if (backend === 'elasticsearch') {
      expect(String(one('orders')._index)).toMatch(new RegExp(`^\\.ds-${tag}-metrics-`));
      expect(one('orders', 'metrics-json')).toMatchObject({ metrics: { orders: 3 }, data_stream: { type: 'metrics' }, resource: { attributes: { 'service.name': 'metrics-json' } } });
    }
  });
});

describe('a batch of points written twice straight to a backend (no ingest dedupe window in between)', () => {
  const points = (): MetricPoint[] =>
    ['a', 'b', 'c'].map((k, i) => ({
      point_id: `TWICE00000-${tag}-${k}`, name: 'twice.gauge', type: 'gauge', time: new Date(Date.now() - i).toISOString(),
      attributes: { k }, resource: { 'service.name': 'twice' }, scope: { name: 'twice' }, value: i,
    }));

  it.each(['postgres', 'elasticsearch'])('%s stores each point once', async (backend) => {
    const ctx = { dataDir: dir, diag: createDiag(() => {}) };
    const b = backend === 'postgres' ? await createPostgresBackend(PG_CONFIG, ctx) : await createElasticsearchBackend(ES_CONFIG, ctx);
    try {
      const batch = { logs: [], spans: [], metrics: points() };
      expect(await b.write(batch)).toEqual({ status: 'success' });
      expect(await b.write(batch)).toEqual({ status: 'success' });
    } finally {
      await b.close();
    }
    const twice = (await stored(backend)).filter((p) => p.name === 'twice.gauge');
    expect(twice.map((p) => p.point_id).sort()).toEqual(points().map((p) => p.point_id));
  });
});

describe('a metric_points table made before value_int (an earlier isotel) on start', () => {
  it('gains the BIGINT value_int column, and keeps an int64 beyond 2^53 exactly', async () => {
    const table = `${tag}_oldm`;
    const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
    await client.connect();
    try {
      const old = METRIC_COLUMNS.filter((c) => c.name !== 'value_int').map((c) => `"${c.name}" ${c.type}`);
      await client.query(`CREATE TABLE ${table} (${old.join(', ')})`);
      const b = await createPostgresBackend({ ...PG_CONFIG, metrics_table_name: table }, { dataDir: dir, diag: createDiag(() => {}) });
      try {
        const point: MetricPoint = { point_id: `OLD-${tag}`, name: 'old.gauge', type: 'gauge', time: new Date().toISOString(), attributes: {}, resource: {}, scope: { name: 'old' }, value: '-9223372036854775808' };
        expect(await b.write({ logs: [], spans: [], metrics: [point] })).toEqual({ status: 'success' });
      } finally {
        await b.close();
      }
      const r = await client.query<{ value_int: string }>(`SELECT value_int::text AS value_int FROM ${table}`);
      expect(r.rows).toEqual([{ value_int: '-9223372036854775808' }]);
    } finally {
      await client.query(`DROP TABLE IF EXISTS ${table}`).finally(() => client.end());
    }
  });
});
