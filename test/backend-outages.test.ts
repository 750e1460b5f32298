import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@elastic/elasticsearch';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureLogger, type BackendHealth, type Logger } from '../src/node/index.js';
import { logThroughOutage, waitDrained, type OutageResult } from './helpers/outage-load.js';
import { elasticsearchAnswers, ensureServicesUp, killElasticsearch, postgresAnswers, startElasticsearch, startPostgres, stopPostgres } from './helpers/services.js';

/**
 * The servers go away while the logger writes, and come back: every record arrives exactly once.
 * These tests stop the shared PostgreSQL and Elasticsearch, so they live in this one file (the integration
 * project runs files one at a time), restart what they stopped in a finally, and afterAll restores both.
 */
const N = 50_000;
const RUN = randomBytes(4).toString('hex');
const ES = 'http://127.0.0.1:9200';
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
/** Short delivery settings, so recovery is seen within seconds of the server's return. */
const FAST = { max_retries: 3, retry_delay: 0.2, circuit_breaker_threshold: 5, circuit_breaker_timeout: 2, health_check_interval: 1 };
const dirs: string[] = [];
const schemas: string[] = [];
const prefixes: string[] = [];
const admin = new pg.Pool({ ...PG, max: 2 });
admin.on('error', () => undefined); // idle admin connections die when the server is stopped; the pool reconnects
const es = new Client({ node: ES });

beforeAll(async () => {
  if (!(await postgresAnswers())) throw new Error('PostgreSQL is not accepting connections on 127.0.0.1:5432 (run scripts/ensure-postgres.sh)');
  if (!(await elasticsearchAnswers())) throw new Error(`Elasticsearch is not answering on ${ES} (run scripts/elasticsearch.sh start)`);
});

afterAll(async () => {
  try {
    await ensureServicesUp();
  } finally {
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    for (const p of prefixes) {
      await es.indices.delete({ index: `${p}-*`, allow_no_indices: true, ignore_unavailable: true }, { ignore: [404] });
      await es.indices.deleteIndexTemplate({ name: `${p}-logs,${p}-traces` }, { ignore: [404] });
    }
    await admin.end();
    await es.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'isotel-outage-'));
  dirs.push(d);
  return d;
}

function loggerConfig(dataDir: string, backend: { backend_type: string; config: Record<string, unknown> }) {
  return { logger: { service_name: 'outage-test', enable_console: false, data_dir: dataDir, backends: [backend] } };
}

async function open(config: unknown): Promise<Logger> {
  return configureLogger({ config, exitHooks: false, registerGlobal: false, diagSink: () => {} });
}

function pgBackend(schema: string) {
  schemas.push(schema);
  return { backend_type: 'postgres', config: { ...PG, schema, ...FAST } };
}

function expectDegraded(h: BackendHealth): void {
  expect(['retrying', 'circuit_open']).toContain(h.state);
  expect(h.waiting_on_disk).toBeGreaterThan(0);
  expect(h.last_error).toBeTruthy();
}

describe('a backend down in the middle of 50,000 records', () => {
  it('keeps records on disk while Elasticsearch is killed for 30 s, then stores each exactly once', async () => {
    const prefix = `isotel-outage-${RUN}`;
    prefixes.push(prefix);
    const logger = await open(
      loggerConfig(tempDir(), {
        backend_type: 'elasticsearch',
        config: { hosts: [ES], index_pattern: `${prefix}-logs-%Y.%m.%d`, span_index_pattern: `${prefix}-traces-%Y.%m.%d`, template_name: prefix, ...FAST },
      }),
    );
    let outage: OutageResult;
    try {
      outage = await logThroughOutage(logger, { stop: killElasticsearch, start: startElasticsearch });
      expectDegraded(outage.during);
      const after = await waitDrained(logger, N, 180_000);
      expect(after).toMatchObject({ delivered: N, dropped: 0, dead_lettered: 0 });
    } finally {
      await logger.close();
    }
    expect(outage.downSeconds).toBeGreaterThanOrEqual(30);

    await es.indices.refresh({ index: `${prefix}-logs-*` });
    const { count } = await es.count({ index: `${prefix}-logs-*` });
    const ids = await distinctRecordIds(prefix);
    console.log(`elasticsearch outage: down ${outage.downSeconds.toFixed(0)} s + ${outage.startSeconds.toFixed(0)} s start; during: ${JSON.stringify(outage.during)}`);
    expect({ count, distinct: ids.distinct, repeated: ids.repeated }).toEqual({ count: N, distinct: N, repeated: 0 });
  });

  it('keeps records on disk while PostgreSQL is stopped for 30 s, then stores each exactly once', async () => {
    const schema = `isotel_outage_${RUN}`;
    const logger = await open(loggerConfig(tempDir(), pgBackend(schema)));
    let outage: OutageResult;
    try {
      outage = await logThroughOutage(logger, { stop: stopPostgres, start: startPostgres });
      expectDegraded(outage.during);
      const after = await waitDrained(logger, N, 120_000);
      expect(after).toMatchObject({ delivered: N, dropped: 0, dead_lettered: 0 });
    } finally {
      await logger.close();
    }
    expect(outage.downSeconds).toBeGreaterThanOrEqual(30);
    console.log(`postgres outage: down ${outage.downSeconds.toFixed(0)} s + ${outage.startSeconds.toFixed(1)} s start; during: ${JSON.stringify(outage.during)}`);

    const r = await admin.query(
      `SELECT count(*)::int AS n, count(DISTINCT record_id)::int AS ids, count(DISTINCT attributes->>'seq')::int AS seqs FROM "${schema}".otel_logs`,
    );
    expect(r.rows[0]).toEqual({ n: N, ids: N, seqs: N });
  });
});

describe('the logging process SIGKILLed while PostgreSQL is down', () => {
  it('delivers every record it had flushed to disk, once, when a new process starts on the same data_dir', async () => {
    const COUNT = 5_000;
    const schema = `isotel_kill_${RUN}`;
    const config = loggerConfig(tempDir(), pgBackend(schema));
    let atKill: BackendHealth;
    try {
      await stopPostgres();
      atKill = await runAndKill(config, COUNT);
    } finally {
      await startPostgres();
    }
    // Everything flushed was on disk, nothing delivered: the server was down the whole time.
    expect(atKill).toMatchObject({ waiting_on_disk: COUNT, delivered: 0, dropped: 0 });

    const logger = await open(config);
    let after: BackendHealth;
    try {
      after = await waitDrained(logger, COUNT, 60_000);
    } finally {
      await logger.close();
    }
    const r = await admin.query<{ phase: string; n: number; ids: number; seqs: number }>(
      `SELECT attributes->>'phase' AS phase, count(*)::int AS n, count(DISTINCT record_id)::int AS ids, count(DISTINCT attributes->>'seq')::int AS seqs
         FROM "${schema}".otel_logs GROUP BY 1 ORDER BY 1`,
    );
    const flushed = r.rows.find((row) => row.phase === 'flushed');
    const unflushed = r.rows.find((row) => row.phase === 'unflushed') ?? { n: 0, ids: 0, seqs: 0 };
    console.log(`SIGKILL test: ${COUNT} flushed records; of those logged after the flush, ${unflushed.n} were on disk at the kill; replay: ${JSON.stringify(after)}`);
    expect(flushed).toEqual({ phase: 'flushed', n: COUNT, ids: COUNT, seqs: COUNT });
    // Records logged after the flush may or may not have reached the disk before the kill; none twice.
    expect(unflushed.ids).toBe(unflushed.n);
    expect(unflushed.seqs).toBe(unflushed.n);
    expect(after.delivered).toBe(COUNT + unflushed.n);
  });
});

/** Starts test/fixtures/spool-kill-logger.ts, SIGKILLs it 200 ms after it printed `flushed`; its health then. */
async function runAndKill(config: unknown, count: number): Promise<BackendHealth> {
  const fixture = path.join(import.meta.dirname, 'fixtures/spool-kill-logger.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, JSON.stringify(config), String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const lines = createInterface({ input: child.stdout });
  try {
    for await (const line of lines) {
      if (!line.startsWith('flushed ')) continue;
      await new Promise((resolve) => setTimeout(resolve, 200)); // into the appends of the unflushed records
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      return JSON.parse(line.slice('flushed '.length)) as BackendHealth;
    }
    throw new Error(`the logging process ended before printing "flushed" (${String(await exited)}): ${stderr.slice(-2000)}`);
  } finally {
    child.kill('SIGKILL');
  }
}

/** Exact distinct count of record_id, and how many ids occur more than once (composite aggregation, paged). */
async function distinctRecordIds(prefix: string): Promise<{ distinct: number; repeated: number }> {
  let distinct = 0;
  let repeated = 0;
  let after: Record<string, string | number | null> | undefined;
  for (;;) {
    const r = await es.search({
      index: `${prefix}-logs-*`,
      size: 0,
      aggs: { ids: { composite: { size: 10_000, sources: [{ id: { terms: { field: 'record_id' } } }], ...(after ? { after } : {}) } } },
    });
    const agg = r.aggregations?.ids as { buckets: { doc_count: number }[]; after_key?: Record<string, string | number | null> } | undefined;
    const buckets = agg?.buckets ?? [];
    distinct += buckets.length;
    repeated += buckets.filter((b) => b.doc_count > 1).length;
    if (buckets.length === 0 || !agg?.after_key) return { distinct, repeated };
    after = agg.after_key;
  }
}
