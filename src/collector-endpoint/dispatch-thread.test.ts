import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { WriteAheadLog, createFilesystemBackend } from '../node/engine/index.js';
import { createDiag } from '../shared/diag.js';
import type { Batch, LogRecord } from '../shared/model.js';
import { dispatchWorkerScript, startDispatchWorker } from './dispatch-thread.js';
import { createIngestHandler } from './create.js';

// Every worker the code under test starts, so a test can stop one as a crash would.
const started = vi.hoisted(() => [] as Worker[]);
vi.mock('node:worker_threads', async (original) => {
  const m = await original<typeof import('node:worker_threads')>();
  class Recorded extends m.Worker {
    constructor(...args: ConstructorParameters<typeof m.Worker>) {
      super(...args);
      started.push(this);
    }
  }
  return { ...m, Worker: Recorded };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-dispatch-thread-'));
  started.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const diag = createDiag(() => {});
const batch = (from: number, n: number): Batch => ({
  logs: Array.from({ length: n }, (_, i) => ({
    record_id: `r${from + i}`,
    timestamp: '2025-07-06T10:34:56.123456Z',
    observed_timestamp: '2025-07-06T10:34:56.123456Z',
    severity_text: 'INFO',
    severity_number: 9,
    body: `record ${from + i}`,
    attributes: {},
    resource: { 'service.name': 'svc' },
    scope: { name: 'test' },
  }) as LogRecord),
  spans: [],
  metrics: [],
});

async function open() {
  const wal = await WriteAheadLog.open({ dir: join(dir, 'wal'), maxBytes: 1 << 26, readers: [], external: true, diag });
  const logFile = join(dir, 'logs.jsonl');
  const script = dispatchWorkerScript();
  if (!script) throw new Error('the dispatch worker script was not found beside dispatch-thread.ts');
  const { dispatcher } = await startDispatchWorker({
    script,
    wal,
    walDir: join(dir, 'wal'),
    dataDir: join(dir, 'data'),
    entries: [{ backend_type: 'filesystem', config: { log_file: logFile } }],
    diag,
    restartDelayMs: 10,
  });
  const ids = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { record_id: string }).record_id) : []);
  return { wal, dispatcher, ids };
}

describe('dispatch worker', () => {
  it('delivers what the log made durable and counts it as waiting until then', async () => {
    const { wal, dispatcher, ids } = await open();
    for (let i = 0; i < 5; i++) expect((await wal.append(batch(i * 10, 10))).ok).toBe(true);
    // Counted at once, never less (the worker's cells change while they are read: at most a batch twice, for an instant).
    expect(dispatcher.health()[0].waiting_on_disk + dispatcher.health()[0].delivered).toBeGreaterThanOrEqual(50);
    expect(await dispatcher.drain(10_000)).toBe(true);
    expect(dispatcher.health()[0]).toMatchObject({ name: 'filesystem', waiting_on_disk: 0, delivered: 50, state: 'healthy' });
    expect(new Set(ids()).size).toBe(50);
    await dispatcher.close();
    await wal.close();
    expect(dispatcher.health()[0].state).toBe('closed');
  });

  it('starts a worker that died again, which resumes from the cursors and loses nothing', async () => {
    const { wal, dispatcher, ids } = await open();
    for (let i = 0; i < 3; i++) await wal.append(batch(i * 10, 10));
    expect(await dispatcher.drain(10_000)).toBe(true);
    await started[0].terminate(); // as a crash would end it
    for (let i = 3; i < 6; i++) await wal.append(batch(i * 10, 10));
    expect(dispatcher.health()[0].waiting_on_disk).toBe(30);
    expect(await dispatcher.drain(10_000)).toBe(true);
    expect(started).toHaveLength(2);
    expect(new Set(ids())).toEqual(new Set(Array.from({ length: 60 }, (_, i) => `r${i}`)));
    await dispatcher.close();
    await wal.close();
  });

  it('rejects at start with the configuration error the worker found, and leaves no worker running', async () => {
    const wal = await WriteAheadLog.open({ dir: join(dir, 'wal'), maxBytes: 1 << 26, readers: [], external: true, diag });
    const start = startDispatchWorker({
      script: dispatchWorkerScript()!,
      wal,
      walDir: join(dir, 'wal'),
      dataDir: join(dir, 'data'),
      entries: [{ backend_type: 'filesystem', config: { log_file: join(dir, 'logs.jsonl') } }],
      queryBackend: 'nope',
      diag,
    });
    await expect(start).rejects.toThrow('ingest.query_backend: no configured backend named or of type "nope"');
    // Exits on its own (no terminate() here): wait for it, however slow the machine is.
    if (started[0].threadId !== -1) await new Promise((r) => started[0].once('exit', r));
    expect(started[0].threadId).toBe(-1); // exited
    await wal.close();
  });
});

describe('where createIngestHandler runs the backends', () => {
  const config = () => ({
    logger: { enable_console: false, data_dir: join(dir, 'data'), backends: [{ backend_type: 'filesystem', config: { log_file: join(dir, 'app.jsonl') } }] },
    ingest: { wal_dir: join(dir, 'wal') },
  });

  it('in the dispatch worker, unless a backend of this thread (the host logger) writes the same JSONL file', async () => {
    const hostLogger = await createFilesystemBackend({ log_file: join(dir, 'app.jsonl') }, { dataDir: dir, diag });
    const shared = await createIngestHandler({ config: config(), diagSink: () => {} });
    expect(started).toHaveLength(0);
    await shared.close();
    await hostLogger.close();
    const alone = await createIngestHandler({ config: config(), diagSink: () => {} });
    expect(started).toHaveLength(1);
    await alone.close();
  });
});
