import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type RunningServer } from '../src/collector-endpoint/index.js';

/**
 * `ingest.read_key` on `isotel serve` (a JSONL backend is enough: the key is checked before any backend is
 * asked): every read route needs it, the ingest key does not open them, and the read key does not allow sending.
 */
const INGEST_KEY = 'ingest-key-1';
const READ_KEY = 'read-key-1';
const TRACE = 'ab'.repeat(16);
let dir: string;
let server: RunningServer;

function config(ingest: object) {
  return {
    logger: { service_name: 'read-key-test', enable_console: false, data_dir: join(dir, 'data'), backends: [{ backend_type: 'filesystem', config: { log_file: join(dir, 'logs', 'r.jsonl') } }] },
    ingest: { wal_dir: join(dir, 'wal'), query_backend: 'filesystem', ...ingest },
  };
}

const LOGS = JSON.stringify({
  resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'rk' } }] }, scopeLogs: [{ scope: { name: 's' }, logRecords: [{ timeUnixNano: String(Date.now() * 1e6), body: { stringValue: 'hello' }, traceId: TRACE, spanId: 'ab'.repeat(8) }] }] }],
});

const post = (headers: Record<string, string>, query = '') =>
  fetch(`${server.url}/v1/logs${query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: LOGS });
const read = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

/** Each read route, and its answer with the key (the trace has a log and no span: Jaeger's route finds no trace). */
const OPENED: [string, number][] = [['/api/logs', 200], ['/api/services', 200], ['/api/traces?service=rk', 200], [`/api/traces/${TRACE}`, 404], ['/v1/traces', 200], [`/v1/traces/${TRACE}`, 200]];
const READ_ROUTES = OPENED.map(([path]) => path);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-read-key-'));
  server = await serve({ config: config({ ingest_keys: [INGEST_KEY], read_key: READ_KEY }), port: 0, diagSink: () => {} });
  expect((await post({ 'x-isotel-ingest-key': INGEST_KEY })).status).toBe(200);
  expect(await server.handler.drain(30_000)).toBe(true);
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the read key', () => {
  it('is required on every read route: 401 with the reason and WWW-Authenticate, the security headers too', async () => {
    for (const path of READ_ROUTES) {
      const res = await read(path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate'), path).toBe('Bearer realm="isotel query API"');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(((await res.json()) as { message: string }).message, path).toBe('missing or wrong read key (header Authorization: Bearer <key>, or x-isotel-read-key)');
    }
  });

  it('opens every read route as a Bearer token or in x-isotel-read-key', async () => {
    for (const [path, status] of OPENED) {
      expect((await read(path, { authorization: `Bearer ${READ_KEY}` })).status, path).toBe(status);
      expect((await read(path, { 'x-isotel-read-key': READ_KEY })).status, path).toBe(status);
    }
    const logs = (await (await read('/api/logs?q=hello', { authorization: `Bearer ${READ_KEY}` })).json()) as { data: { body: string }[] };
    expect(logs.data.map((r) => r.body)).toStrictEqual(['hello']);
  });

  it('is not opened by the ingest key, in any header or parameter, nor by a wrong key', async () => {
    const tries: Record<string, string>[] = [{ 'x-isotel-ingest-key': INGEST_KEY }, { authorization: `Bearer ${INGEST_KEY}` }, { 'x-isotel-read-key': INGEST_KEY }, { authorization: `Bearer ${READ_KEY}x` }];
    for (const headers of tries) {
      expect((await read('/api/logs', headers)).status, JSON.stringify(headers)).toBe(401);
    }
    expect((await read(`/api/logs?ingest_key=${INGEST_KEY}`)).status).toBe(401);
  });

  it('does not allow sending: the ingest route wants the ingest key', async () => {
    expect((await post({ authorization: `Bearer ${READ_KEY}` })).status).toBe(401);
    expect((await post({ 'x-isotel-read-key': READ_KEY })).status).toBe(401);
    expect((await post({ 'x-isotel-ingest-key': READ_KEY })).status).toBe(401);
    expect((await post({}, `?ingest_key=${READ_KEY}`)).status).toBe(401);
  });

  it('leaves /health and /metrics open', async () => {
    expect((await read('/health')).status).toBe(200);
    expect((await read('/metrics')).status).toBe(200);
  });

  it('must differ from the ingest keys: the configuration is refused, naming the field', async () => {
    await expect(serve({ config: config({ ingest_keys: ['same'], read_key: 'same' }), port: 0, diagSink: () => {} })).rejects.toThrow(/ingest\.read_key.*must differ from every ingest_keys entry/);
  });
});
