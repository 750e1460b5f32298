import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Client } from '@elastic/elasticsearch';
import { createDiag } from '../src/shared/diag.js';
import type { LogRecord, SpanRecord } from '../src/shared/model.js';
import { createElasticsearchBackend } from '../src/node/backends/elasticsearch/index.js';
import type { ElasticsearchBackendConfig } from '../src/node/backends/elasticsearch/index.js';
import { makeLog, makeSpan } from '../src/node/backends/elasticsearch/test-records.js';
import type { Backend } from '../src/node/backends/types.js';

/**
 * The Elasticsearch backend against a real Elasticsearch 8.19 on 127.0.0.1:9200 (started by
 * scripts/elasticsearch.sh). Each test writes under its own index prefix and template name, and
 * removes its indices and templates afterwards.
 */
const ES = process.env.ISOTEL_ES_URL ?? 'http://127.0.0.1:9200';
const admin = new Client({ node: ES });
const created: string[] = [];

beforeAll(async () => {
  try {
    await admin.cluster.health();
  } catch (err) {
    throw new Error(`Elasticsearch is not answering on ${ES}: run \`bash scripts/elasticsearch.sh start\` first (${String(err)})`);
  }
});

afterAll(async () => {
  for (const prefix of created) {
    const indices = Object.keys(await admin.indices.get({ index: `${prefix}-*`, expand_wildcards: 'all' }));
    if (indices.length > 0) await admin.indices.delete({ index: indices });
    await admin.indices.deleteIndexTemplate({ name: `${prefix}-logs,${prefix}-traces` }, { ignore: [404] });
  }
  await admin.close();
});

function randomHex(chars: number): string {
  let s = '';
  while (s.length < chars) s += Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
  return s.slice(0, chars);
}

/** A config whose indices and templates belong to this test alone. */
function isolated(extra: Partial<ElasticsearchBackendConfig> = {}): { prefix: string; config: ElasticsearchBackendConfig } {
  const prefix = `isotel-test-${randomHex(8)}`;
  created.push(prefix);
  return {
    prefix,
    config: {
      hosts: [ES],
      index_pattern: `${prefix}-logs-%Y.%m.%d`,
      span_index_pattern: `${prefix}-traces-%Y.%m.%d`,
      template_name: prefix,
      ...extra,
    },
  };
}

const ctx = () => ({ dataDir: '/tmp', diag: createDiag(() => {}) });

async function open(config: ElasticsearchBackendConfig): Promise<Backend> {
  return createElasticsearchBackend(config, ctx());
}

async function refresh(prefix: string): Promise<void> {
  await admin.indices.refresh({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
}

async function count(prefix: string, query?: Record<string, unknown>): Promise<number> {
  await refresh(prefix);
  const r = await admin.count({ index: `${prefix}-*`, ...(query ? { query } : {}) });
  return r.count;
}

const byTime = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

describe('Elasticsearch backend', () => {
  it('returns 200 logs and 50 spans from getTrace exactly as written, every attribute kind included', async () => {
    const { prefix, config } = isolated();
    const backend = await open(config);
    const trace = randomHex(32);
    const logs: LogRecord[] = Array.from({ length: 200 }, (_, i) => makeLog(i, trace));
    const spans: SpanRecord[] = Array.from({ length: 50 }, (_, i) => makeSpan(i, trace));
    expect(await backend.write({ logs, spans, metrics: [] })).toEqual({ status: 'success' });
    await refresh(prefix);
    const result = await backend.getTrace?.(trace);
    expect(result?.logs).toHaveLength(200);
    expect(result?.spans).toHaveLength(50);
    expect(result?.logs).toStrictEqual([...logs].sort(byTime((r) => r.timestamp)));
    expect(result?.spans).toStrictEqual([...spans].sort(byTime((s) => s.start_time)));
    await backend.close();
  });

  it('keeps attribute leaves searchable through the flattened fields', async () => {
    const { prefix, config } = isolated();
    const backend = await open(config);
    const trace = randomHex(32);
    await backend.write({ logs: Array.from({ length: 20 }, (_, i) => makeLog(i, trace)), spans: [makeSpan(0, trace)], metrics: [] });
    expect(await count(prefix, { term: { 'resource.attributes.service.name': 'checkout' } })).toBe(21);
    expect(await count(prefix, { term: { 'attributes.http.request.method': 'GET' } })).toBe(21);
    expect(await count(prefix, { term: { 'attributes.map.b.c': 'd' } })).toBe(21);
    expect(await count(prefix, { match: { 'body.text': 'quotes' } })).toBeGreaterThan(0);
    await backend.close();
  });

  it('stores each record once when the same batch is written twice', async () => {
    const { prefix, config } = isolated();
    const backend = await open(config);
    const trace = randomHex(32);
    const batch = { logs: Array.from({ length: 100 }, (_, i) => makeLog(i, trace)), spans: Array.from({ length: 10 }, (_, i) => makeSpan(i, trace)), metrics: [] };
    expect(await backend.write(batch)).toEqual({ status: 'success' });
    expect(await backend.write(batch)).toEqual({ status: 'success' });
    expect(await count(prefix)).toBe(110);
    await backend.close();
  });

  it('refuses only the record that breaks the mapping and stores the others', async () => {
    const { prefix, config } = isolated();
    const backend = await open(config);
    const trace = randomHex(32);
    const logs = Array.from({ length: 10 }, (_, i) => makeLog(i, trace));
    const broken = { ...logs[4], trace_flags: 'not-a-number' as unknown as number };
    logs[4] = broken;
    const result = await backend.write({ logs, spans: [], metrics: [] });
    expect(result.status).toBe('failure');
    if (result.status !== 'failure') return;
    expect(result.reasons).toHaveLength(1);
    expect(result.reasons[0].id).toBe(broken.record_id);
    expect(result.reasons[0].reason).toMatch(/trace_flags/);
    expect(await count(prefix)).toBe(9);
    await backend.close();
  });

  it('names indices after each record’s own UTC date', async () => {
    const { prefix, config } = isolated();
    const backend = await open(config);
    const trace = randomHex(32);
    const logs = [makeLog(1, trace, Date.UTC(2024, 1, 29, 23, 59, 59)), makeLog(2, trace, Date.UTC(2025, 0, 1, 0, 0, 0))];
    const spans = [makeSpan(1, trace, Date.UTC(2023, 11, 31, 12))];
    expect(await backend.write({ logs, spans, metrics: [] })).toEqual({ status: 'success' });
    const indices = Object.keys(await admin.indices.get({ index: `${prefix}-*` })).sort();
    expect(indices).toEqual([`${prefix}-logs-2024.02.29`, `${prefix}-logs-2025.01.01`, `${prefix}-traces-2023.12.31`]);
    await backend.close();
  });

  it('does not grow the mapping with 10,000 distinct attribute keys', async () => {
    const { prefix, config } = isolated();
    const backend = await open(config);
    const trace = randomHex(32);
    const logs = Array.from({ length: 10 }, (_, i) => {
      const record = makeLog(i, trace);
      for (let k = 0; k < 1000; k++) record.attributes[`key.${i}.${k}`] = k;
      return record;
    });
    expect(await backend.write({ logs, spans: [], metrics: [] })).toEqual({ status: 'success' });
    expect(await count(prefix)).toBe(10);
    const mapping = await admin.indices.getMapping({ index: `${prefix}-logs-*` });
    const fields = JSON.stringify(mapping).match(/"type":/g)?.length ?? 0;
    expect(fields).toBeLessThan(40);
    await backend.close();
  });

  it('stores attribute values longer than Lucene’s term limit (kept in _source, not indexed)', async () => {
    const { prefix, config } = isolated();
    const backend = await open(config);
    const trace = randomHex(32);
    const record = makeLog(1, trace);
    record.attributes['huge'] = '🚀'.repeat(12_000); // 48 KB of UTF-8
    record.body = { text: 'x'.repeat(40_000) };
    expect(await backend.write({ logs: [record], spans: [], metrics: [] })).toEqual({ status: 'success' });
    await refresh(prefix);
    expect((await backend.getTrace?.(trace))?.logs).toStrictEqual([record]);
    await backend.close();
  });

  it('installs its templates idempotently: a second start with the same config works', async () => {
    const { config } = isolated();
    const first = await open(config);
    const second = await open(config);
    expect(await second.ping?.()).toBe(true);
    const templates = await admin.indices.getIndexTemplate({ name: `${config.template_name}-*` });
    expect(templates.index_templates.map((t) => t.name).sort()).toEqual([`${config.template_name}-logs`, `${config.template_name}-metrics`, `${config.template_name}-traces`]);
    await Promise.all([first.close(), second.close()]);
  });

  it('answers retryable, naming the host, when the host is unreachable', async () => {
    const warnings: string[] = [];
    const backend = await createElasticsearchBackend(
      { hosts: ['http://127.0.0.1:9999'] },
      { dataDir: '/tmp', diag: createDiag((level, message) => level !== 'debug' && warnings.push(message)) },
    );
    const expected = 'elasticsearch backend: cannot reach http://127.0.0.1:9999 (check logger.backends[i].config.hosts)';
    expect(warnings.some((w) => w.startsWith(expected))).toBe(true);
    const result = await backend.write({ logs: [makeLog(1, randomHex(32))], spans: [], metrics: [] });
    expect(result.status).toBe('retryable');
    expect(result.status === 'retryable' && result.reason).toContain(expected);
    await backend.close();
  });

  it('makes writes visible at once with refresh: true, and flush and close are safe to repeat', async () => {
    const { config } = isolated({ refresh: true });
    const backend = await open(config);
    const trace = randomHex(32);
    const pending = backend.write({ logs: [makeLog(1, trace)], spans: [makeSpan(0, trace)], metrics: [] });
    await backend.flush();
    expect(await pending).toEqual({ status: 'success' });
    const result = await backend.getTrace?.(trace);
    expect(result?.logs).toHaveLength(1);
    expect(result?.spans).toHaveLength(1);
    await backend.close();
    await backend.close();
    expect((await backend.write({ logs: [makeLog(2, trace)], spans: [], metrics: [] })).status).toBe('retryable');
  });
});
