import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRecord, SpanRecord } from '../../../shared/model.js';
import { makeLog, makeSpan } from '../elasticsearch/test-records.js';
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
      const batch = { logs: logs.slice(b * 30, b * 30 + 30), spans: spans.slice(b * 8, b * 8 + 8) };
      expect(await backend.write(batch)).toEqual({ status: 'success' });
    }
    // At-least-once: a retried write repeats lines, here in a later file than the first copy.
    expect(await backend.write({ logs: [...logsA.slice(0, 40), logsB[7]], spans: [...spansA.slice(0, 10), spansB[3]] })).toEqual({ status: 'success' });
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
