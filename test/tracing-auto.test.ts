import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../src/shared/model.js';
import { dropTagged } from './helpers/cleanup.js';
import { childrenOf, readSpans } from './helpers/spans-file.js';

/**
 * The zero-code start: apps that import only @opentelemetry/api (never isotel) run as child processes under
 * `node --import <isotel>/dist/node/auto.js` (ES modules) and `node --require .../auto.cjs` (CommonJS), and
 * their traces land, linked, in the backends of isotel.yaml: JSONL, PostgreSQL and Elasticsearch.
 * Uses the built package (`npm run build`, which `npm test` runs before the integration tests).
 */
const ROOT = new URL('..', import.meta.url).pathname;
const DIST = join(ROOT, 'dist', 'node');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'auto-app');
const TAG = `isotel_auto_${randomBytes(4).toString('hex')}`;
const ES = 'http://127.0.0.1:9200';
const dir = mkdtempSync(join(tmpdir(), 'isotel-auto-'));
type Line = { body?: unknown; trace_id?: string; span_id?: string; severity_text?: string; attributes?: Record<string, unknown> };
const readLines = (file: string): Line[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) : []);

beforeAll(() => {
  if (!existsSync(join(DIST, 'auto.js')) || !existsSync(join(DIST, 'auto.cjs'))) {
    throw new Error('dist/node/auto.js is missing: run `npm run build` first');
  }
});

afterAll(async () => {
  await dropTagged(TAG);
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `node <flag> <entry> <app>` in `cwd`, output to files; killed after 60 s. */
async function runApp(flag: '--import' | '--require', entry: string, app: string, cwd: string, env: Record<string, string> = {}) {
  const out = join(cwd, 'stdout.txt');
  const err = join(cwd, 'stderr.txt');
  const fds = [openSync(out, 'w'), openSync(err, 'w')];
  const child = spawn(process.execPath, [flag, entry, app], {
    cwd,
    stdio: ['ignore', fds[0], fds[1]],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  fds.forEach((fd) => closeSync(fd));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') };
}

/** server /work → compute (the app's own span) → pg query + fetch CLIENT → server /down; one trace. */
function expectLinkedTrace(spans: SpanRecord[], withPg: boolean): SpanRecord {
  const work = spans.find((s) => s.kind === 'SERVER' && s.attributes['url.path'] === '/work');
  expect(work, 'the http server span of /work').toBeDefined();
  const compute = childrenOf(spans, work!).find((s) => s.name === 'compute');
  expect(compute).toMatchObject({ kind: 'INTERNAL', scope: { name: 'auto-app' } });
  const under = childrenOf(spans, compute!);
  const fetchSpan = under.find((s) => s.kind === 'CLIENT' && s.scope.name === '@opentelemetry/instrumentation-undici');
  expect(fetchSpan?.attributes['url.full']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/down$/);
  const down = spans.find((s) => s.kind === 'SERVER' && s.attributes['url.path'] === '/down');
  expect(down).toMatchObject({ trace_id: work!.trace_id, parent_span_id: fetchSpan!.span_id });
  if (withPg) {
    const query = under.find((s) => s.scope.name === '@opentelemetry/instrumentation-pg' && s.attributes['db.query.text']);
    expect(query).toMatchObject({ kind: 'CLIENT', attributes: { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT 6 * 7 AS answer' } });
  }
  return work!;
}

describe('isotel/node/auto', () => {
  it('--import: an ES-module app using only @opentelemetry/api gets linked spans and its api-logs records in JSONL, PostgreSQL and Elasticsearch', async () => {
    const cwd = join(dir, 'esm');
    mkdirSync(cwd, { recursive: true });
    // ./isotel.yaml in the working directory: found without ISOTEL_CONFIG.
    writeFileSync(
      join(cwd, 'isotel.yaml'),
      `logger:
  service_name: auto-esm
  enable_console: false
  data_dir: ${join(cwd, 'data')}
  backends:
    - backend_type: filesystem
      config: { log_file: ${join(cwd, 'app.jsonl')} }
    - backend_type: postgres
      config: { host: 127.0.0.1, port: 5432, user: postgres, database: test, table_name: ${TAG}_logs, spans_table_name: ${TAG}_spans }
    - backend_type: elasticsearch
      config: { hosts: ['${ES}'], index_pattern: '${TAG}-logs-%Y.%m.%d', span_index_pattern: '${TAG}-traces-%Y.%m.%d', template_name: ${TAG}, refresh: true }
`,
    );
    const run = await runApp('--import', join(DIST, 'auto.js'), join(FIXTURES, 'app.mjs'), cwd);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('answer: 42 down');

    const spans = readSpans(join(cwd, 'app.spans.jsonl'));
    const work = expectLinkedTrace(spans, true);
    const traceIds = spans.filter((s) => s.trace_id === work.trace_id).map((s) => s.span_id).sort();
    expect(traceIds.length).toBeGreaterThanOrEqual(5);
    expect(spans.every((s) => s.resource['service.name'] === 'auto-esm')).toBe(true);
    // isotel's own writes to PostgreSQL and Elasticsearch are not traced (no spans about storing spans).
    expect(spans.filter((s) => s.attributes['server.port'] === 9200 || String(s.attributes['db.query.text'] ?? '').includes(TAG))).toEqual([]);

    // The process closed the logger on its way out: the same spans are in PostgreSQL and Elasticsearch.
    const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
    await client.connect();
    try {
      const { rows } = await client.query<{ span_id: string }>(`SELECT span_id FROM ${TAG}_spans WHERE trace_id = $1 ORDER BY span_id`, [work.trace_id]);
      expect(rows.map((r) => r.span_id)).toEqual(traceIds);
    } finally {
      await client.end();
    }
    const res = await fetch(`${ES}/${TAG}-traces-*/_search?size=100`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: { term: { trace_id: work.trace_id } } }),
    });
    const hits = ((await res.json()) as { hits: { hits: { _source: { span_id: string } }[] } }).hits.hits;
    expect(hits.map((h) => h._source.span_id).sort()).toEqual(traceIds);
    // The app's @opentelemetry/api-logs record, in the three backends, inside the compute span.
    const compute = spans.find((s) => s.name === 'compute' && s.trace_id === work.trace_id)!;
    const jsonlLog = readLines(join(cwd, 'app.jsonl')).find((l) => l.body === 'answer computed');
    expect(jsonlLog).toMatchObject({ trace_id: work.trace_id, span_id: compute.span_id, severity_text: 'INFO', attributes: { answer: 42 }, scope: { name: 'auto-app', version: '1.0.0' } });
    const logClient = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
    await logClient.connect();
    try {
      const { rows } = await logClient.query<{ span_id: string }>(`SELECT span_id FROM ${TAG}_logs WHERE trace_id = $1 AND body::text LIKE '%answer computed%'`, [work.trace_id]);
      expect(rows.map((r) => r.span_id)).toEqual([compute.span_id]);
    } finally {
      await logClient.end();
    }
    const logRes = await fetch(`${ES}/${TAG}-logs-*/_search?size=10`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: { term: { trace_id: work.trace_id } } }),
    });
    const logHits = ((await logRes.json()) as { hits: { hits: { _source: { span_id: string } }[] } }).hits.hits;
    expect(logHits.map((h) => h._source.span_id)).toEqual([compute.span_id]);
  });

  it('--require: a CommonJS app using only @opentelemetry/api gets linked spans and api-logs records in JSONL (ISOTEL_CONFIG)', async () => {
    const cwd = join(dir, 'cjs');
    mkdirSync(cwd, { recursive: true });
    const config = join(dir, 'cjs-config.yaml');
    writeFileSync(
      config,
      `logger:
  service_name: auto-cjs
  enable_console: false
  data_dir: ${join(cwd, 'data')}
  backends:
    - backend_type: filesystem
      config: { log_file: ${join(cwd, 'app.jsonl')} }
`,
    );
    const run = await runApp('--require', join(DIST, 'auto.cjs'), join(FIXTURES, 'app.cjs'), cwd, { ISOTEL_CONFIG: config });
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('answer: 42 down');
    const spans = readSpans(join(cwd, 'app.spans.jsonl'));
    expectLinkedTrace(spans, false);
    expect(spans[0].resource['service.name']).toBe('auto-cjs');
    const log = readLines(join(cwd, 'app.jsonl')).find((l) => l.body === 'downstream answered');
    expect(log).toMatchObject({ severity_text: 'WARN', attributes: { down: 'down' } });
    expect(log?.trace_id).toBe(spans.find((s) => s.name === 'compute')?.trace_id);
  });
});
