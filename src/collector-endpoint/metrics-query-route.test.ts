import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createDiag } from '../shared/diag.js';
import type { MetricPoint } from '../shared/model.js';
import type { MetricFilter, TraceSearch } from '../node/engine/index.js';
import { IngestMetrics } from './metrics.js';
import { handleMetricsQuery } from './metrics-query-route.js';
import { Responder } from './respond.js';
import type { IngestRuntime } from './runtime.js';

const NOW = Date.UTC(2025, 0, 1, 12);
const point = (secs: number, value: number): MetricPoint => ({
  point_id: `p${secs}`, name: 'm', type: 'gauge', time: new Date(NOW - 600_000 + secs * 1000).toISOString(), attributes: { a: 1 }, resource: { 'service.name': 's' }, scope: { name: '' }, value,
});

function runtime(findMetrics: TraceSearch['findMetrics'] | undefined): IngestRuntime {
  const search = findMetrics && { findMetrics };
  return { query: { search }, diag: createDiag(() => {}) } as unknown as IngestRuntime;
}

async function call(rt: IngestRuntime, path: string) {
  const out = { body: '' };
  const res = { headersSent: false, setHeader() {}, end(b: string) { out.body = b; } } as unknown as ServerResponse;
  await handleMetricsQuery(rt, new Responder(new IngestMetrics()), res, new URL(path, 'http://ingest'), NOW);
  return { status: res.statusCode, body: JSON.parse(out.body) as Record<string, unknown> };
}

describe('GET /v1/metrics/query', () => {
  it('passes the parsed filter to the backend and answers the bucketed series', async () => {
    const asked: MetricFilter[] = [];
    const rt = runtime(async (f) => {
      asked.push(f);
      return { points: [point(0, 1), point(30, 2), point(90, 3)], more: false };
    });
    const got = await call(rt, '/v1/metrics/query?name=m&attr=a=1&step=1m');
    expect(asked).toStrictEqual([{ name: 'm', attributes: { a: '1' }, startUs: (NOW - 3_600_000) * 1000, endUs: NOW * 1000, stepMs: 60_000, limit: 100 }]);
    expect(got).toStrictEqual({
      status: 200,
      body: {
        data: [{ name: 'm', type: 'gauge', attributes: { a: 1 }, resource: { 'service.name': 's' }, points: [{ time: '2025-01-01T11:50:00.000Z', value: 2 }, { time: '2025-01-01T11:51:00.000Z', value: 3 }] }],
        step: 60_000,
        truncated: false,
      },
    });
  });

  it('answers 400 naming the parameter or the scan bound, 501 without a searching backend, 503 when it fails', async () => {
    const rt = runtime(async () => ({ points: [], more: false }));
    expect(await call(rt, '/v1/metrics/query?name=m&step=x')).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^parameter 'step'/) } });
    expect(await call(rt, '/v1/metrics/query')).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^parameter 'name'/) } });
    expect(await call(runtime(async () => ({ points: [], more: true })), '/v1/metrics/query?name=m')).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^the query matches more than 50000 points/) } });
    expect(await call(runtime(undefined), '/v1/metrics/query?name=m')).toMatchObject({ status: 501 });
    expect(await call(runtime(async () => Promise.reject(new Error('down'))), '/v1/metrics/query?name=m')).toMatchObject({ status: 503, body: { message: 'the query backend did not answer: down' } });
  });
});
