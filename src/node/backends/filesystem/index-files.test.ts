import { describe, it, expect, onTestFinished } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRecord, SpanRecord } from '../../../shared/model.js';
import { makeLog, makeSpan } from '../elasticsearch/test-records.js';
import { searchLogs, type LogFilter } from '../log-search.js';
import { operationsOf, searchSpans, serviceOf, type TraceFilter } from '../trace-search.js';
import { createFilesystemBackend, type FilesystemBackend } from './backend.js';
import { dedupe, spanKey } from './read-records.js';

let dir = '';
let backend: FilesystemBackend | undefined;

const BASE = Date.UTC(2025, 6, 6, 10, 0, 0);
const traceOf = (t: number) => `${'c0ffee00'.repeat(3)}${String(t).padStart(8, '0')}`;
const SERVICES = ['api', 'db', 'web'];

/** Span `i` of trace `t`: three services, varied durations and names, every third span an error (makeSpan). */
function span(t: number, i: number): SpanRecord {
  const s = makeSpan(i, traceOf(t), BASE + t * 1000);
  return { ...s, name: `op-${(t + i) % 4}`, duration_ms: ((t * 7 + i * 13) % 50) + 0.5, resource: { 'service.name': SERVICES[(t + i) % 3], 'service.version': '1' } };
}

const log = (t: number, i: number): LogRecord => ({ ...makeLog(i, traceOf(t), BASE + t * 1000), record_id: `rec-${t}-${i}` });

/** The data set, written in interleaved batches so traces straddle the rotations (~1.5 KB a line, 24 KB files). */
async function open(backupCount = 200): Promise<{ logFile: string; write: (from: number, to: number) => Promise<void> }> {
  dir = mkdtempSync(join(tmpdir(), 'isotel-jsonl-index-'));
  onTestFinished(async () => {
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const logFile = join(dir, 'app.jsonl');
  backend = await createFilesystemBackend({ log_file: logFile, max_bytes: 24 * 1024, backup_count: backupCount });
  const write = async (from: number, to: number) => {
    for (let i = 0; i < 6; i++) {
      const spans: SpanRecord[] = [];
      const logs: LogRecord[] = [];
      for (let t = from; t < to; t++) {
        spans.push(span(t, i));
        logs.push(log(t, i * 2), log(t, i * 2 + 1));
      }
      expect(await backend!.write({ spans, logs, metrics: [] })).toEqual({ status: 'success' });
    }
    await backend!.flush();
  };
  return { logFile, write };
}

/** Every record of the files, read whole with no index: the answers the index must give. */
function scanAll<T>(file: string): T[] {
  const files = readdirSync(dir).filter((n) => n === file || (/^\d+$/.test(n.slice(file.length + 1)) && n.startsWith(`${file}.`)));
  return files.flatMap((n) => readFileSync(join(dir, n), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T));
}

const FILTERS: Array<Partial<TraceFilter>> = [
  { service: 'api' },
  { service: 'db', operation: 'op-2' },
  { service: 'web', tags: { error: 'true' } },
  { service: 'api', tags: { 'str.empty': '' } },
  { service: 'api', tags: { int: '3', 'span.kind': 'internal' } },
  { service: 'web', tags: { error: 'true', 'http.request.method': 'GET', 'str.unicode': 'héllo wörld ✓ 日本語 🚀 #3' } },
  { service: 'db', tags: { 'otel.status_description': 'boom "quoted"\nline', 'service.version': '1' } },
  { service: 'db', durationMinMs: 20, durationMaxMs: 30.5 },
  { service: 'web', startMinUs: (BASE + 10_000) * 1000, startMaxUs: (BASE + 20_000) * 1000, limit: 3 },
  { service: 'nobody' },
  { service: 'api', operation: 'no-such-op' },
];

/** `whole`: the full data set is in the files, and every filter but the two that name nothing finds traces. */
async function expectSameAsScan(whole = false): Promise<void> {
  const spans = dedupe(scanAll<SpanRecord>('app.spans.jsonl'), spanKey);
  const logs = dedupe(scanAll<LogRecord>('app.jsonl'), (r) => r.record_id);
  const search = backend!.search!;
  for (const partial of FILTERS) {
    const f: TraceFilter = { service: '', tags: {}, startMinUs: 0, startMaxUs: Number.MAX_SAFE_INTEGER, limit: 20, ...partial };
    const want = searchSpans(spans, f);
    expect(await search.findTraces(f), JSON.stringify(partial)).toStrictEqual(want);
    if (whole && partial.service !== 'nobody' && partial.operation !== 'no-such-op') expect(want.length, JSON.stringify(partial)).toBeGreaterThan(0);
  }
  expect(await search.services()).toStrictEqual([...new Set(spans.map(serviceOf))].sort());
  expect(await search.operations('api')).toStrictEqual(operationsOf(spans, 'api'));
  expect(await search.operations('db', 'SERVER')).toStrictEqual(operationsOf(spans, 'db', 'SERVER'));
  for (const t of [0, 7, 39]) {
    const f: LogFilter = { traceId: traceOf(t), attributes: {}, limit: 100 };
    expect(await search.findLogs(f)).toStrictEqual(searchLogs(logs, f));
    const got = await backend!.getTrace!(traceOf(t));
    expect(got.spans.map(spanKey).sort()).toStrictEqual(spans.filter((s) => s.trace_id === traceOf(t)).map(spanKey).sort());
    expect(got.logs.map((r) => r.record_id).sort()).toStrictEqual(logs.filter((r) => r.trace_id === traceOf(t)).map((r) => r.record_id).sort());
  }
}

const indexDir = (file: string) => join(dir, `${file}.index`);
const indexFiles = (file: string) => (existsSync(indexDir(file)) ? readdirSync(indexDir(file)) : []);

// Each test writes ~1 MB over ~40 files and queries it several times: 1-16 s each on the loaded 2-core VM.
describe('the JSONL index', { timeout: 60_000 }, () => {
  it('answers every search as a scan of the whole files would, traces spanning rotations included', async () => {
    const { write } = await open();
    await write(0, 40);
    // Every trace's spans were written in six batches over many files: many traces span a rotation.
    const spanFiles = readdirSync(dir).filter((n) => n.startsWith('app.spans.jsonl') && !n.endsWith('.index'));
    expect(spanFiles.length).toBeGreaterThan(10);
    await expectSameAsScan(true);
    // One index per file, named by inode.
    const inodes = spanFiles.map((n) => `${statSync(join(dir, n)).ino}.idx`).sort();
    expect(indexFiles('app.spans.jsonl').sort()).toStrictEqual(inodes);
  });

  it('finds what was appended after it was built, and extends the index file rather than rewriting it', async () => {
    const { write } = await open();
    await write(0, 10);
    await expectSameAsScan();
    await write(10, 40);
    await expectSameAsScan();
    expect(await backend!.getTrace!(traceOf(35)).then((r) => r.spans.length)).toBe(6);
    // A file indexed at the first read and written to since got a second block, appended.
    const blocks = indexFiles('app.spans.jsonl').map((n) => readFileSync(join(indexDir('app.spans.jsonl'), n), 'utf8').split('\n').filter(Boolean).length);
    expect(Math.max(...blocks)).toBe(2);
  });

  it('is rebuilt from the files after its directory is deleted, or its files corrupted or torn', async () => {
    const { write } = await open();
    await write(0, 40);
    await expectSameAsScan();
    // A new backend (a restart) reads the index from disk: every form of damage must give the same answers.
    const damage = [
      () => rmSync(indexDir('app.spans.jsonl'), { recursive: true }),
      () => { for (const n of indexFiles('app.jsonl')) writeFileSync(join(indexDir('app.jsonl'), n), 'garbage\n{"v":1'); },
      () => { for (const n of indexFiles('app.spans.jsonl')) appendFileSync(join(indexDir('app.spans.jsonl'), n), '{"v":1,"from":0,"to":5'); },
      // Valid blocks that point at the wrong lines (trace ids swapped): found out when read, then rebuilt.
      () => {
        for (const n of indexFiles('app.spans.jsonl')) {
          const p = join(indexDir('app.spans.jsonl'), n);
          writeFileSync(p, readFileSync(p, 'utf8').replaceAll(traceOf(7), traceOf(8)).replaceAll(traceOf(39), traceOf(38)));
        }
      },
    ];
    for (const d of damage) {
      await backend!.close();
      d();
      backend = await createFilesystemBackend({ log_file: join(dir, 'app.jsonl'), max_bytes: 24 * 1024, backup_count: 200 });
      await expectSameAsScan();
    }
    // Rewritten whole: each index file is one clean block again.
    for (const n of indexFiles('app.spans.jsonl')) expect(readFileSync(join(indexDir('app.spans.jsonl'), n), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('drops the index of a file that rotation deleted, and tells a new file in a reused inode from the old one', async () => {
    const { write } = await open(3);
    await write(0, 20);
    await backend!.search!.services();
    await write(20, 40);
    await expectSameAsScan();
    const live = readdirSync(dir).filter((n) => /^app\.spans\.jsonl(\.\d+)?$/.test(n));
    expect(live).toHaveLength(4);
    expect(indexFiles('app.spans.jsonl').sort()).toStrictEqual(live.map((n) => `${statSync(join(dir, n)).ino}.idx`).sort());
    // The same inode, other bytes: a file truncated and written again in place (as backup_count 0 rotates).
    const current = join(dir, 'app.spans.jsonl');
    const other = readFileSync(join(dir, 'app.spans.jsonl.1'));
    writeFileSync(current, other);
    expect(await backend!.search!.findTraces({ service: 'api', tags: {}, startMinUs: 0, startMaxUs: Number.MAX_SAFE_INTEGER, limit: 100 })).toStrictEqual(
      searchSpans(dedupe(scanAll<SpanRecord>('app.spans.jsonl'), spanKey), { service: 'api', tags: {}, startMinUs: 0, startMaxUs: Number.MAX_SAFE_INTEGER, limit: 100 }),
    );
  });
});
