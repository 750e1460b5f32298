/**
 * OTLP onward, over real HTTP: a Node service's records go through its delivery engine to the `otlp` backend,
 * into a real ingest (JSONL), with their ids and trace context intact; while the ingest is unreachable they
 * wait on the service's disk and arrive once when it is back (none lost, none doubled); a receiver that
 * answers 429/503 with Retry-After is waited out as it asks; metric points POSTed (twice) to a first ingest go onward
 * to the second in protobuf and in JSON and are stored there once, with the same point ids.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIngest, type TestIngest } from './helpers/ingest.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';
import { configureLogger } from '../src/node/index.js';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { sdkResourceMetrics } from '../src/shared/otlp/fixtures/sdk-metrics.js';
import type { Logger } from '../src/node/logger.js';

let ingest: TestIngest;
let proxy: TcpProxy;
let logger: Logger;
let dir: string;

beforeAll(async () => {
  ingest = await startIngest();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(ingest.url).port) });
  dir = mkdtempSync(join(tmpdir(), 'isotel-otlp-onward-'));
  logger = await configureLogger({
    config: {
      logger: {
        service_name: 'orders',
        enable_console: false,
        data_dir: join(dir, 'data'),
        backends: [{ backend_type: 'otlp', config: { endpoint: `http://127.0.0.1:${proxy.port}`, retry_delay: 0.2, max_retries: 100, timeout: 2 } }],
      },
    },
    exitHooks: false,
    diagSink: () => {},
  });
});

afterAll(async () => {
  await logger?.close();
  await proxy?.close();
  await ingest?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, get: () => T, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('otlp backend into an isotel ingest', () => {
  it('delivers logs and spans with their record ids and trace context', async () => {
    const traceId = logger.withSpan('checkout', { order: 7 }, () => {
      for (let i = 0; i < 50; i++) logger.info('line', { i, run: 'first' });
      return logger.activeTraceId();
    });
    await logger.flush();
    const logs = await until('50 logs', () => ingest.logs().filter((l) => (l.attributes as Record<string, unknown>).run === 'first'), (l) => l.length >= 50);
    const spans = await until('the span', () => ingest.spans().filter((s) => s.name === 'checkout'), (s) => s.length >= 1);
    expect(new Set(logs.map((l) => l.record_id)).size).toBe(50);
    expect(logs.every((l) => l.trace_id === traceId)).toBe(true);
    expect(spans[0]).toMatchObject({ trace_id: traceId, kind: 'INTERNAL' });
    expect((spans[0].resource as Record<string, unknown>)['service.name']).toBe('orders');
  });

  it('keeps records on disk while the ingest is unreachable and delivers each once when it is back', async () => {
    await proxy.stop();
    for (let i = 0; i < 200; i++) logger.info('during outage', { i, run: 'outage' });
    await logger.flush();
    await new Promise((r) => setTimeout(r, 1500));
    expect(ingest.logs().filter((l) => (l.attributes as Record<string, unknown>).run === 'outage')).toHaveLength(0);
    expect(logger.health().backends[0]).toMatchObject({ state: expect.stringMatching(/retrying|circuit_open/) });
    await proxy.start();
    const logs = await until('200 logs after the outage', () => ingest.logs().filter((l) => (l.attributes as Record<string, unknown>).run === 'outage'), (l) => l.length >= 200, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    const again = ingest.logs().filter((l) => (l.attributes as Record<string, unknown>).run === 'outage');
    expect(again).toHaveLength(200);
    expect(new Set(logs.map((l) => (l.attributes as Record<string, unknown>).i)).size).toBe(200);
  });

  it('waits out 429 and 503 answers as their Retry-After asks (OTLP JSON this time), then delivers each record once', async () => {
    // A real receiver in front of the ingest: it refuses the first three requests, then passes them on.
    let refusals = 3;
    const refusedAt: number[] = [];
    const gate = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (refusals > 0) {
          refusedAt.push(Date.now());
          res.writeHead(refusals-- % 2 === 1 ? 429 : 503, { 'retry-after': '1' }).end();
          return;
        }
        fetch(`${ingest.url}${req.url}`, { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: Buffer.concat(chunks) })
          .then(async (r) => res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await r.arrayBuffer())))
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
    const sub = mkdtempSync(join(tmpdir(), 'isotel-otlp-throttled-'));
    const sender = await configureLogger({
      config: {
        logger: {
          service_name: 'throttled',
          enable_console: false,
          data_dir: join(sub, 'data'),
          backends: [{ backend_type: 'otlp', config: { endpoint: `http://127.0.0.1:${(gate.address() as AddressInfo).port}`, protocol: 'http/json', retry_delay: 0.05, max_retries: 100, timeout: 2 } }],
        },
      },
      exitHooks: false,
      diagSink: () => {},
    });
    try {
      for (let i = 0; i < 100; i++) sender.info('throttled', { i, run: 'throttled' });
      await sender.flush();
      const mine = () => ingest.logs().filter((l) => (l.attributes as Record<string, unknown>).run === 'throttled');
      await until('100 logs past the refusals', mine, (l) => l.length >= 100, 30_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(mine()).toHaveLength(100);
      expect(new Set(mine().map((l) => l.record_id)).size).toBe(100);
      expect(refusedAt).toHaveLength(3);
      // retry_delay is 50 ms: the second-long gaps are the receiver's Retry-After, honoured.
      for (let k = 1; k < refusedAt.length; k++) expect(refusedAt[k] - refusedAt[k - 1]).toBeGreaterThanOrEqual(900);
    } finally {
      await sender.close();
      gate.closeAllConnections();
      await new Promise((r) => gate.close(r));
      rmSync(sub, { recursive: true, force: true });
    }
  });

  it('forwards metric points from a first ingest to the second over OTLP, protobuf and JSON both: each point stored once, with the same id', async () => {
    const onward = { endpoint: ingest.url, retry_delay: 0.2, max_retries: 100, timeout: 5 };
    const first = await startIngest({}, {}, [
      { backend_type: 'otlp', config: onward },
      { backend_type: 'otlp', config: { ...onward, protocol: 'http/json' } },
    ]);
    try {
      const service = `kafkametrics-onward-${process.pid}`;
      const exporter = new OTLPMetricExporter({ url: `${first.url}/v1/metrics` });
      const rm = await sdkResourceMetrics('cumulative', service);
      for (let k = 0; k < 2; k++) {
        const r = await new Promise<ExportResult>((resolve) => exporter.export(rm, resolve));
        expect([r.code, r.error?.message]).toEqual([ExportResultCode.SUCCESS, undefined]);
      }
      await exporter.shutdown();
      const ofService = (points: Array<Record<string, unknown>>) => points.filter((p) => (p.resource as Record<string, unknown>)['service.name'] === service);
      const sent = await until('5 points at the first ingest', () => ofService(first.metrics()), (p) => p.length >= 5);
      expect(await first.handler.drain(30_000)).toBe(true);
      expect(first.handler.health().backends.map((b) => b.state)).toEqual(['healthy', 'healthy', 'healthy']);
      await until('5 points onward', () => ofService(ingest.metrics()), (p) => p.length >= 5);
      expect(await ingest.handler.drain(30_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      const got = ofService(ingest.metrics());
      expect(got).toHaveLength(5);
      expect(got.map((p) => p.point_id).sort()).toEqual(sent.map((p) => p.point_id).sort());
      const byId = new Map(got.map((p) => [p.point_id, p]));
      for (const p of sent) expect(byId.get(p.point_id)).toMatchObject({ name: p.name, type: p.type, time: p.time, attributes: p.attributes });
    } finally {
      await first.close();
    }
  });
});
