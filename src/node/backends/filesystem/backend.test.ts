import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, existsSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRecord, SpanRecord } from '../../../shared/model.js';
import { createDiag } from '../../../shared/diag.js';
import { makeLog, makeSpan } from '../elasticsearch/test-records.js';
import { WriteAheadLog } from '../../engine/wal.js';
import { startDispatcher } from '../../engine/dispatcher.js';
import { createCursorStore } from '../../engine/cursor.js';
import { createFilesystemBackend, type FilesystemBackend } from './backend.js';

let dir = '';
let backend: FilesystemBackend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_B = '0af7651916cd43dd8448eb211c80319c';
const BASE_A = Date.UTC(2025, 6, 6, 10, 0, 0);
const BASE_B = Date.UTC(2025, 6, 6, 11, 0, 0);
const byTime = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** A fixed shuffle (odd stride over the indices), so the files do not hold the records in time order. */
function shuffled<T>(items: T[]): T[] {
  return items.map((_, i) => items[(i * 37) % items.length]);
}

describe('filesystem backend queries', () => {
  it('returns each trace from getTrace exactly as written across rotated files, each record once, and lists both traces', async () => {
    dir = mkdtempSync(join(tmpdir(), 'isotel-fs-backend-'));
    const logFile = join(dir, 'app.jsonl');
    // ~1 KB per line: 16 KB files rotate many times; 100 backups keep every file.
    backend = await createFilesystemBackend({ log_file: logFile, max_bytes: 16 * 1024, backup_count: 100 });
    const logsA = Array.from({ length: 150 }, (_, i) => makeLog(i, TRACE_A, BASE_A));
    const logsB = Array.from({ length: 150 }, (_, i) => makeLog(i, TRACE_B, BASE_B));
    const spansA = Array.from({ length: 40 }, (_, i) => makeSpan(i, TRACE_A, BASE_A));
    const spansB = Array.from({ length: 40 }, (_, i) => makeSpan(i, TRACE_B, BASE_B));
    const logs = shuffled([...logsA, ...logsB]);
    const spans = shuffled([...spansA, ...spansB]);
    for (let b = 0; b < 10; b++) {
      const batch = { logs: logs.slice(b * 30, b * 30 + 30), spans: spans.slice(b * 8, b * 8 + 8), metrics: [] };
      expect(await backend.write(batch)).toEqual({ status: 'success' });
    }
    // Written again outside a replay (a client's re-send, which the ingest deduplicates, not the file): the
    // line repeats, here in a later file than the first copy, and the query still shows the record once.
    expect(await backend.write({ logs: [...logsA.slice(0, 40), logsB[7]], spans: [...spansA.slice(0, 10), spansB[3]], metrics: [] })).toEqual({ status: 'success' });
    await backend.flush();
    expect(existsSync(`${logFile}.5`)).toBe(true);
    expect(existsSync(join(dir, 'app.spans.jsonl.3'))).toBe(true);

    for (const [trace, wantLogs, wantSpans] of [[TRACE_A, logsA, spansA], [TRACE_B, logsB, spansB]] as const) {
      const got = await backend.getTrace?.(trace);
      expect(got?.logs).toHaveLength(150);
      expect(got?.spans).toHaveLength(40);
      expect(got?.logs).toStrictEqual([...wantLogs].sort(byTime<LogRecord>((r) => r.timestamp)));
      expect(got?.spans).toStrictEqual([...wantSpans].sort(byTime<SpanRecord>((s) => s.start_time)));
    }
    expect(await backend.getTrace?.('ffffffffffffffffffffffffffffffff')).toEqual({ logs: [], spans: [] });

    const summary = (spansOf: SpanRecord[]) => {
      const start = spansOf.map((s) => s.start_time).sort()[0];
      const end = spansOf.map((s) => s.end_time).sort().at(-1)!;
      return { start_time: start, duration_ms: Date.parse(end) - Date.parse(start), span_count: spansOf.length, root_name: 'GET /price/0', services: ['checkout'], error: true };
    };
    expect(await backend.listTraces?.(10)).toEqual([
      { trace_id: TRACE_B, ...summary(spansB) },
      { trace_id: TRACE_A, ...summary(spansA) },
    ]);
    expect((await backend.listTraces?.(1))?.map((t) => t.trace_id)).toEqual([TRACE_B]);
  });
});

describe('filesystem backend start-up', () => {
  it('fails at start-up, naming log_file, when the path cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isotel-fs-start-'));
    try {
      const notADir = join(dir, 'plain-file');
      writeFileSync(notADir, 'x');
      // A directory component that is a file: no user, root included, can create the log there.
      await expect(createFilesystemBackend({ log_file: join(notADir, 'app.jsonl') })).rejects.toThrow(
        /filesystem backend: cannot write .*plain-file\/app\.jsonl \(check log_file\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Lines per id in a JSONL file: `key` reads a parsed line's id. */
function lineCounts(file: string, key: (o: Record<string, string>) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const id = key(JSON.parse(line) as Record<string, string>);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('filesystem backend replays', () => {
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
  const logs = (from: number, n: number) => Array.from({ length: n }, (_, i) => makeLog(from + i, TRACE));
  const spans = (from: number, n: number) => Array.from({ length: n }, (_, i) => makeSpan(from + i, TRACE));

  it('adds no line when the dispatcher, restarted with the cursor of before a crash, sends written batches again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'isotel-fs-replay-'));
    const logFile = join(dir, 'app.jsonl');
    const walDir = join(dir, 'wal');
    const warnings: string[] = [];
    const diag = createDiag((level, m) => level === 'warn' && warnings.push(m));
    const run = async (fill: (wal: WriteAheadLog) => Promise<void>) => {
      const wal = await WriteAheadLog.open({ dir: walDir, maxBytes: 1 << 26, readers: ['filesystem'], diag });
      const b = await createFilesystemBackend({ log_file: logFile }, { dataDir: dir, diag });
      const d = startDispatcher({ wal, diag, batchSize: 100, targets: [{ name: 'filesystem', backend: b }] });
      await fill(wal);
      expect(await d.drain(5000)).toBe(true);
      await d.close();
      await b.close();
      await wal.close();
    };
    let cursorBefore = { segment: 0, offset: 0 };
    await run(async (wal) => {
      for (let k = 0; k < 5; k++) {
        await wal.append({ logs: logs(k * 100, 100), spans: spans(k * 10, 10), metrics: [] });
        if (k === 1) cursorBefore = wal.head;
      }
    });
    // The crash: batches 2..4 are in the files, but the saved cursor is still after batch 1.
    await createCursorStore(join(walDir, 'cursors')).save('filesystem', cursorBefore);
    await run(async (wal) => {
      await wal.append({ logs: logs(500, 100), spans: spans(50, 10), metrics: [] });
    });

    const logLines = lineCounts(logFile, (o) => o.record_id);
    const spanLines = lineCounts(join(dir, 'app.spans.jsonl'), (o) => `${o.trace_id}-${o.span_id}`);
    expect([logLines.size, [...logLines.values()].every((n) => n === 1)]).toEqual([600, true]);
    expect([spanLines.size, [...spanLines.values()].every((n) => n === 1)]).toEqual([60, true]);
    expect(warnings.filter((w) => /already in/.test(w)).join('\n')).toMatch(/^filesystem: \d+ lines already in/);
  });

  it('sends a batch whose spans failed again without repeating its logs', async () => {
    dir = mkdtempSync(join(tmpdir(), 'isotel-fs-retry-'));
    const logFile = join(dir, 'app.jsonl');
    const spansFile = join(dir, 'app.spans.jsonl');
    backend = await createFilesystemBackend({ log_file: logFile });
    expect(await backend.write({ logs: logs(0, 50), spans: spans(0, 5), metrics: [] })).toEqual({ status: 'success' });
    rmSync(spansFile);
    mkdirSync(spansFile); // the spans file cannot be written; the logs file can
    const batch = { logs: logs(50, 50), spans: spans(5, 5), metrics: [] };
    expect(await backend.write(batch)).toMatchObject({ status: 'retryable' });
    rmSync(spansFile, { recursive: true });
    expect(await backend.write(batch)).toEqual({ status: 'success' });
    expect(await backend.write({ logs: logs(100, 50), spans: spans(10, 5), metrics: [] })).toEqual({ status: 'success' });
    await backend.flush();
    expect(lineCounts(logFile, (o) => o.record_id)).toEqual(new Map(logs(0, 150).map((r) => [r.record_id, 1])));
    expect(lineCounts(spansFile, (o) => o.span_id)).toEqual(new Map(spans(5, 10).map((r) => [r.span_id, 1])));
  });
});

describe('filesystem backend metric points', () => {
  it('writes one point per line to the metrics file, point_id first, and skips a replayed batch by point id', async () => {
    dir = mkdtempSync(join(tmpdir(), 'isotel-fs-metrics-'));
    backend = await createFilesystemBackend({ log_file: join(dir, 'app.jsonl') });
    const point = (i: number) => ({
      point_id: `0000000000-${i}`, name: 'queue.depth', type: 'gauge' as const, time: '2026-12-07T00:00:00.000000Z',
      attributes: { q: i }, resource: { 'service.name': 's' }, scope: { name: 'x' }, value: i,
    });
    const batch = { logs: [], spans: [], metrics: [point(1), point(2)] };
    expect(await backend.write(batch)).toEqual({ status: 'success' });
    await backend.close();
    backend = await createFilesystemBackend({ log_file: join(dir, 'app.jsonl') });
    expect(await backend.write(batch)).toEqual({ status: 'success' }); // a replay after a restart
    await backend.flush();
    const lines = readFileSync(join(dir, 'app.metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([point(1), point(2)]);
    expect(lines[0].startsWith('{"point_id":"0000000000-1","name":"queue.depth"')).toBe(true);
  });
});
