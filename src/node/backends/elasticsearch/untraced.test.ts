import { describe, it, expect, afterAll } from 'vitest';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createDiag } from '../../../shared/diag.js';
import { createElasticsearchBackend } from './backend.js';
import { makeLog } from './test-records.js';

/**
 * The backend's own requests must not produce spans: the Elasticsearch client traces every API call by
 * default, and those spans, exported through the logger, would be written by this backend again.
 */
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
afterAll(() => trace.disable());

describe('Elasticsearch backend tracing', () => {
  it('creates no spans for template installation, writes, pings, trace reads and trace lists', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
        const body = req.url?.startsWith('/_bulk') ? { errors: false } : req.url?.includes('_search') ? { hits: { hits: [] } } : { acknowledged: true };
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const backend = await createElasticsearchBackend({ hosts: [host] }, { dataDir: '/tmp', diag: createDiag(() => {}) });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    expect(await backend.write({ logs: [makeLog(1, traceId)], spans: [], metrics: [] })).toEqual({ status: 'success' });
    expect(await backend.ping?.()).toBe(true);
    expect(await backend.getTrace?.(traceId)).toEqual({ logs: [], spans: [] });
    expect(await backend.listTraces?.(5)).toEqual([]);
    await backend.close();
    await new Promise((resolve) => server.close(resolve));
    // The provider is live: a span of our own is recorded, the backend's requests were not.
    trace.getTracer('test').startSpan('control').end();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['control']);
  });
});
