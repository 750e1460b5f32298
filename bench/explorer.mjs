// The explorer's read path (the explorer issue): TRACES traces of 10 spans and 2 log records per span
// (1,000,000 spans and 2,000,000 logs in a full run) stored through `isotel serve` (the built CLI) into
// PostgreSQL and Elasticsearch, then read through the same server's HTTP query API, one request at a time:
//   - trace search  GET /api/traces?service=&start=&end=&limit=20 (+ operation, a tag, minDuration in some)
//   - trace fetch   GET /api/traces/{id}
//   - log search by trace id  GET /api/logs?trace_id=&limit=100
// p50/p95 per query kind and backend, against the goals (search p95 <= 200 ms, fetch and logs <= 50 ms).
// The data set is deterministic (explorer/data.mjs): it is kept in its own tables and indices between runs
// (named after its size) and loaded only when they do not hold it whole; BENCH_EXPLORER_RELOAD=1 reloads.
// The JSONL row (backend filesystem) keeps its files in $TMPDIR/<tag>-jsonl between runs the same way; its
// data column also says how long the first requests took to build the JSONL index (services: the span index;
// one log search by trace id: the log index), on a server started fresh (from the index files on disk when kept).
//   node bench/run.mjs --only=explorer [--quick]   BENCH_EXPLORER_TRACES=100000 BENCH_EXPLORER_QUERIES=200
//   BENCH_EXPLORER_BACKENDS=filesystem,postgres,elasticsearch (the default: all three)
import http from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { tempDir, removeDir, printTable, size, QUICK } from './lib.mjs';
import { percentile, waitPersisted } from './ingest/load.mjs';
import { startServe, writeConfig } from './ingest/serve.mjs';
import { DAY_MS, DAY_START_MS, LOGS_PER_SPAN, SPANS_PER_TRACE, logsBody, traceId, traceOf, tracesBody } from './explorer/data.mjs';

const TRACES = size('BENCH_EXPLORER_TRACES', 100_000, 2_000);
const QUERIES = size('BENCH_EXPLORER_QUERIES', 200, 30);
const TRACES_PER_REQUEST = 50; // 500 spans, 1,000 log records a request
const CONCURRENCY = 4;
const GOALS = { search: 200, fetch: 50, logs: 50 }; // p95 ms
const ES = process.env.ISOTEL_ES_URL ?? 'http://127.0.0.1:9200';
const PG = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: 'postgres', database: 'test' };
// The data set's version in its name: a changed generator must not find (and keep) the old rows.
const TAG = `isotel_bench_explorer_v2_${TRACES}`;

const JSONL_DIR = join(tmpdir(), `${TAG}-jsonl`);
const JSONL_MARK = join(JSONL_DIR, 'loaded.json');

const BACKENDS = {
  filesystem: {
    // Large files, enough of them to keep the whole data set (~2 GB at full size): nothing rotates out.
    yaml: `    - backend_type: filesystem
      config: { log_file: '${join(JSONL_DIR, 'logs', 'explorer.jsonl')}', max_bytes: 536870912, backup_count: 10 }`,
    stored: storedInJsonl,
    loaded: (counts) => writeFileSync(JSONL_MARK, JSON.stringify(counts)),
    settle: buildJsonlIndex,
  },
  postgres: {
    yaml: `    - backend_type: postgres
      config: { host: ${PG.host}, port: ${PG.port}, database: ${PG.database}, user: ${PG.user}, table_name: ${TAG}_logs, spans_table_name: ${TAG}_spans }`,
    stored: storedInPostgres,
    settle: analyzePostgres,
  },
  elasticsearch: {
    yaml: `    - backend_type: elasticsearch
      config: { hosts: ['${ES}'], index_pattern: '${TAG}-logs-%Y.%m.%d', span_index_pattern: '${TAG}-traces-%Y.%m.%d', template_name: ${TAG} }`,
    stored: storedInElasticsearch,
  },
};

export async function benchExplorer() {
  const rows = [];
  const only = (process.env.BENCH_EXPLORER_BACKENDS ?? '').split(',').filter(Boolean);
  for (const [name, backend] of Object.entries(BACKENDS)) {
    if (only.length > 0 && !only.includes(name)) continue;
    const dir = tempDir('isotel-bench-explorer-');
    const server = await startServe(writeConfig(dir, backend.yaml, `  query_backend: ${name}\n`), join(dir, 'serve.log'));
    try {
      let loaded = await ensureLoaded(server.url, backend.stored, backend.loaded);
      const settled = await backend.settle?.(server.url);
      if (settled) loaded += `; ${settled}`;
      const times = await runQueries(server.url);
      for (const [kind, label] of [['search', 'trace search'], ['fetch', 'trace fetch'], ['logs', 'logs by trace id']]) {
        const p95 = percentile(times[kind], 95);
        rows.push([name, label, loaded, percentile(times[kind], 50).toFixed(1), p95.toFixed(1), `<= ${GOALS[kind]}`, p95 <= GOALS[kind] ? 'ok' : '!']);
      }
    } finally {
      await server.stop();
      removeDir(dir);
    }
  }
  const spans = TRACES * SPANS_PER_TRACE;
  printTable(
    `Explorer reads: ${spans.toLocaleString('en-US')} spans and ${(spans * LOGS_PER_SPAN).toLocaleString('en-US')} logs stored through isotel serve; ` +
      `${QUERIES} requests of each kind, one at a time, through its HTTP query API${QUICK ? ' (quick: a small data set, figures mean little)' : ''}`,
    ['backend', 'query', 'data', 'p50 ms', 'p95 ms', 'goal p95', ''],
    rows,
  );
}

/** Loads the data set unless the backend holds it whole; returns how it got there ('kept' or 'loaded in N s'). */
async function ensureLoaded(url, stored, markLoaded) {
  const want = { spans: TRACES * SPANS_PER_TRACE, logs: TRACES * SPANS_PER_TRACE * LOGS_PER_SPAN };
  const have = await stored();
  if (process.env.BENCH_EXPLORER_RELOAD !== '1' && have.spans === want.spans && have.logs === want.logs) return 'kept';
  const t0 = performance.now();
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const worker = async () => {
    while (next < TRACES) {
      const from = next;
      next = Math.min(TRACES, next + TRACES_PER_REQUEST);
      await post(agent, `${url}/v1/traces`, tracesBody(TAG, from, next));
      await post(agent, `${url}/v1/logs`, logsBody(TAG, from, next));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  await waitPersisted(url, 30 * 60_000);
  markLoaded?.(want);
  // The ids are fixed, so a second load stores nothing twice (every backend is idempotent on them).
  return `loaded in ${((performance.now() - t0) / 1000).toFixed(0)} s`;
}

function post(agent, url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        if (res.statusCode === 200) return resolve();
        if (res.statusCode === 429 || res.statusCode === 503) {
          const wait = Number(res.headers['retry-after'] ?? 1) * 1000;
          return setTimeout(() => post(agent, url, body).then(resolve, reject), wait);
        }
        reject(new Error(`${url} answered ${res.statusCode}: ${text.slice(0, 300)}`));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Deterministic query choices: the same requests in every run. */
function queries() {
  let seed = 12345;
  const r = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const out = { search: [], fetch: [], logs: [] };
  for (let i = 0; i < QUERIES; i++) {
    const k = Math.floor(r() * TRACES);
    const root = traceOf(TAG, k)[0];
    const before = (1 + r() * 11) * 3_600_000;
    const after = (1 + r() * 11) * 3_600_000;
    const q = new URLSearchParams({
      service: root.service,
      start: String(Math.max(DAY_START_MS, Math.floor(root.start - before)) * 1000),
      end: String(Math.min(DAY_START_MS + DAY_MS, Math.ceil(root.start + after)) * 1000),
      limit: '20',
    });
    const c = r();
    if (c < 0.4) q.set('operation', root.name);
    else if (c < 0.7) q.set('tags', JSON.stringify({ 'http.response.status_code': '500' }));
    else if (c < 0.9) q.set('minDuration', '100ms');
    out.search.push(`/api/traces?${q}`);
    out.fetch.push(`/api/traces/${traceId(TAG, Math.floor(r() * TRACES))}`);
    out.logs.push(`/api/logs?trace_id=${traceId(TAG, Math.floor(r() * TRACES))}&limit=100`);
  }
  return out;
}

async function runQueries(url) {
  const all = queries();
  const times = {};
  for (const [kind, paths] of Object.entries(all)) {
    times[kind] = [];
    for (const path of paths.slice(0, 5)) await get(url + path); // warm-up
    for (const path of paths) {
      const t = performance.now();
      await get(url + path);
      times[kind].push(performance.now() - t);
    }
  }
  return times;
}

async function get(url) {
  const res = await fetch(url);
  const body = await res.json();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

async function storedInPostgres() {
  const client = new pg.Client(PG);
  await client.connect();
  try {
    const count = async (table) => {
      const r = await client.query(`SELECT to_regclass($1) AS t`, [table]);
      if (!r.rows[0].t) return 0;
      return Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    };
    return { spans: await count(`${TAG}_spans`), logs: await count(`${TAG}_logs`) };
  } finally {
    await client.end();
  }
}

async function storedInElasticsearch() {
  const count = async (pattern) => {
    const res = await fetch(`${ES}/${pattern}/_count?ignore_unavailable=true&allow_no_indices=true`);
    return res.ok ? (await res.json()).count : 0;
  };
  return { spans: await count(`${TAG}-traces-*`), logs: await count(`${TAG}-logs-*`) };
}

/** What the JSONL files hold, by the mark a whole load leaves; without it the files (a partial load) are removed. */
async function storedInJsonl() {
  if (process.env.BENCH_EXPLORER_RELOAD !== '1' && existsSync(JSONL_MARK)) return JSON.parse(readFileSync(JSONL_MARK, 'utf8'));
  rmSync(JSONL_DIR, { recursive: true, force: true });
  mkdirSync(JSONL_DIR, { recursive: true });
  return { spans: 0, logs: 0 };
}

/** The first reads of a fresh server build (or load) the JSONL index: timed here, apart from the queries. */
async function buildJsonlIndex(url) {
  const t0 = performance.now();
  await get(`${url}/api/services`);
  const t1 = performance.now();
  await get(`${url}/api/logs?trace_id=${traceId(TAG, 0)}&limit=1`);
  const t2 = performance.now();
  return `index: spans ${((t1 - t0) / 1000).toFixed(1)} s, logs ${((t2 - t1) / 1000).toFixed(1)} s`;
}

/**
 * Statistics, as a server's autovacuum gathers them after a bulk load: without them the planner guesses 0.5% of
 * the rows for any trace id and reads a trace's 20 logs with parallel workers (53 ms instead of 1). This
 * machine's PostgreSQL runs with autovacuum off, so the bench analyzes the tables it loaded itself.
 */
async function analyzePostgres() {
  const client = new pg.Client(PG);
  await client.connect();
  try {
    await client.query(`ANALYZE ${TAG}_spans, ${TAG}_logs`);
  } finally {
    await client.end();
  }
}
