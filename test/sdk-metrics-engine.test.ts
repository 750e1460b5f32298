import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type * as Http from 'node:http';
import pg from 'pg';
import { metrics } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureLogger, type Logger } from '../src/node/index.js';
import type { MetricPoint } from '../src/shared/model.js';
import { storeConfigs } from './helpers/store-configs.js';

/**
 * The Node SDK's own meter provider through the delivery engine: a service records a counter and a histogram
 * (the histogram inside a span: its exemplar carries the span's trace and span id) and serves one request on node:http (the http instrumentation's
 * http.server.request.duration, no code); flush() collects, and the points are in the JSONL file and the
 * PostgreSQL table (real, 127.0.0.1:5432, this branch's own tables), each exactly once.
 */
const require = createRequire(import.meta.url);
const tag = `sdk_metrics_engine_${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'sdk-metrics-engine-'));
const metricsFile = join(dir, 'app.metrics.jsonl');
const stores = storeConfigs(tag);
const admin = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 1 });
let logger: Logger;
let http: typeof Http;

beforeAll(async () => {
  logger = await configureLogger({
    config: {
      logger: {
        service_name: 'sdk-metrics-engine-it',
        enable_console: false,
        data_dir: join(dir, 'data'),
        backends: [
          { backend_type: 'filesystem', config: { log_file: join(dir, 'app.jsonl'), metrics_file: metricsFile } },
          { backend_type: 'postgres', config: stores.postgres },
        ],
        metrics: { export_interval: 3600 },
      },
    },
    watch: false,
    exitHooks: false,
    diagSink: () => {},
  });
  http = require('node:http') as typeof Http;
});

afterAll(async () => {
  await logger?.close();
  for (const t of ['logs', 'spans', 'metrics']) await admin.query(`DROP TABLE IF EXISTS ${tag}_${t}`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

function serveOnce(): Promise<void> {
  const server = http.createServer((_req, res) => res.end('ok'));
  return new Promise((resolve, reject) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      http
        .get(`http://127.0.0.1:${port}/work`, (res) => {
          res.resume();
          res.on('end', () => server.close(() => resolve()));
        })
        .on('error', reject);
    });
  });
}

const filePoints = (): MetricPoint[] =>
  readFileSync(metricsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MetricPoint);

describe('the Node meter provider through the delivery engine', () => {
  it('stores a counter, a histogram and http.server.request.duration in JSONL and PostgreSQL, once each', async () => {
    const meter = metrics.getMeter('sdk-metrics-engine-it');
    meter.createCounter('jobs.done').add(3, { queue: 'q1' });
    const histogram = meter.createHistogram('job.duration', { unit: 's' });
    const job = logger.tracer.startActiveSpan('job', (span) => {
      histogram.record(0.25, { queue: 'q1' });
      span.end();
      return span.spanContext();
    });
    await serveOnce();
    await logger.flush();

    const points = filePoints();
    const names = points.map((p) => p.name);
    expect(names.filter((n) => n === 'jobs.done')).toHaveLength(1);
    expect(names.filter((n) => n === 'job.duration')).toHaveLength(1);
    expect(names).toContain('http.server.request.duration');
    expect(points.find((p) => p.name === 'jobs.done')).toMatchObject({ type: 'sum', value: 3, temporality: 'cumulative', monotonic: true, attributes: { queue: 'q1' } });
    const duration = points.find((p) => p.name === 'job.duration')!;
    expect(duration).toMatchObject({ type: 'histogram', count: 1, sum: 0.25, unit: 's' });
    expect(duration.exemplars).toEqual([expect.objectContaining({ value: 0.25, trace_id: job.traceId, span_id: job.spanId })]);
    expect(points.find((p) => p.name === 'jobs.done')!.resource['service.name']).toBe('sdk-metrics-engine-it');

    const { rows } = await admin.query<{ point_id: string; name: string; exemplars: Array<{ trace_id: string }> | null }>(
      `SELECT point_id, name, exemplars FROM ${tag}_metrics`,
    );
    expect(rows.map((r) => r.point_id).sort()).toEqual(points.map((p) => p.point_id).sort());
    expect(rows.find((r) => r.name === 'job.duration')!.exemplars![0].trace_id).toBe(job.traceId);
    expect(new Set(rows.map((r) => r.point_id)).size).toBe(rows.length);
  });

  it('a second flush stores the next collection (new time, new ids), never the first again', async () => {
    const before = filePoints();
    await logger.flush();
    const after = filePoints();
    expect(after.length).toBeGreaterThan(before.length);
    expect(new Set(after.map((p) => p.point_id)).size).toBe(after.length);
    const { rows } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${tag}_metrics`);
    expect(Number(rows[0].n)).toBe(after.length);
  });
});
