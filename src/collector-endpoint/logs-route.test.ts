import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { LogFilter, TraceSearch } from '../node/engine/index.js';
import type { LogRecord } from '../shared/model.js';
import { createDiag } from '../shared/diag.js';
import { IngestMetrics } from './metrics.js';
import { Responder } from './respond.js';
import { handleLogs } from './logs-route.js';
import type { IngestRuntime } from './runtime.js';
import { decodeCursor } from './log-cursor.js';

const record = (id: string, body: string): LogRecord => ({
  record_id: id, timestamp: '2025-01-01T00:00:00.000000Z', observed_timestamp: '2025-01-01T00:00:00.000000Z',
  severity_text: 'INFO', severity_number: 9, body, attributes: { html: '"><img src=x onerror=alert(1)>' }, resource: {}, scope: { name: '' },
});

function runtime(findLogs: TraceSearch['findLogs'] | undefined): IngestRuntime {
  const search = findLogs && { services: async () => [], operations: async () => [], findTraces: async () => [], findLogs };
  return { query: { getTrace: async () => ({ spans: [], logs: [] }), search }, diag: createDiag(() => {}) } as unknown as IngestRuntime;
}

async function call(rt: IngestRuntime, path: string) {
  const out = { body: '', headers: {} as Record<string, string> };
  const res = { headersSent: false, setHeader(k: string, v: string) { out.headers[k.toLowerCase()] = v; }, end(b: string) { out.body = b; } } as unknown as ServerResponse;
  await handleLogs(rt, new Responder(new IngestMetrics()), res, new URL(path, 'http://ingest'));
  return { status: res.statusCode, text: out.body, body: JSON.parse(out.body) as Record<string, unknown>, headers: out.headers };
}

describe('GET /api/logs', () => {
  it('asks for one record more than the page, and gives a cursor only when there is more', async () => {
    const asked: LogFilter[] = [];
    const rt = runtime(async (f) => {
      asked.push(f);
      return [record('c', 'x'), record('b', 'y'), record('a', 'z')].slice(0, f.limit);
    });
    const first = await call(rt, '/api/logs?limit=2');
    expect(asked[0].limit).toBe(3);
    expect((first.body.data as LogRecord[]).map((r) => r.record_id)).toStrictEqual(['c', 'b']);
    expect(decodeCursor(first.body.next_cursor as string)).toStrictEqual({ timeNs: '1735689600000000000', recordId: 'b' });
    expect((await call(rt, '/api/logs?limit=3')).body.next_cursor).toBeNull();
  });

  it('escapes <, > and & in the JSON and sends the security headers', async () => {
    const got = await call(runtime(async () => [record('a', '<script>alert(1)</script> & more')]), '/api/logs');
    expect(got.text).not.toMatch(/[<>&]/);
    expect(got.text).toContain('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 more');
    expect((got.body.data as LogRecord[])[0].body).toBe('<script>alert(1)</script> & more');
    expect((got.body.data as LogRecord[])[0].attributes.html).toBe('"><img src=x onerror=alert(1)>');
    expect(got.headers['content-security-policy']).toBe("default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
    expect(got.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers 400 naming the parameter, 501 without a searching backend, 503 when it fails', async () => {
    const rt = runtime(async () => []);
    expect(await call(rt, '/api/logs?limit=x')).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^parameter 'limit'/) } });
    expect(await call(rt, '/api/logs?cursor=zz')).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^parameter 'cursor'/) } });
    expect(await call(runtime(undefined), '/api/logs')).toMatchObject({ status: 501 });
    expect(await call(runtime(async () => Promise.reject(new Error('down'))), '/api/logs')).toMatchObject({ status: 503, body: { message: 'the query backend did not answer: down' } });
  });
});
