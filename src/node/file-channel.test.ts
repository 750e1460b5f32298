import { describe, it, expect } from 'vitest';
import { createFileChannel } from './file-channel.js';
import { createDiag } from '../shared/diag.js';
import type { FilesystemBackend, PreparedFileBatch } from './backends/filesystem/backend.js';
import type { Batch, LogRecord } from '../shared/model.js';
import type { WriteResult } from '../shared/result.js';

function fakeFileBackend() {
  const written: number[] = [];
  let failing = false;
  const backend: FilesystemBackend = {
    name: 'filesystem',
    files: { logFile: 'unused.jsonl', spansFile: 'unused.spans.jsonl', metricsFile: 'unused.metrics.jsonl', rotation: { maxBytes: 1 << 20, backupCount: 1 } },
    sharesFiles: () => false,
    prepare: (b: Batch): PreparedFileBatch => ({ count: b.logs.length, bytes: b.logs.length * 100, logs: Buffer.from(JSON.stringify(b.logs.map((l) => l.record_id))) }),
    async writePrepared(p): Promise<WriteResult> {
      if (failing) return { status: 'retryable', delayMs: 10, reason: 'ENOSPC: no space left on device' };
      written.push(...(JSON.parse(p.logs!.toString()) as string[]).map(Number));
      return { status: 'success' };
    },
    write: async () => ({ status: 'success' }),
    flush: async () => {},
    close: async () => {},
  };
  return { backend, written, setFailing: (f: boolean) => (failing = f) };
}
const batch = (from: number, n: number): Batch => ({ logs: Array.from({ length: n }, (_, i) => ({ record_id: String(from + i) }) as LogRecord), spans: [], metrics: [] });

describe('file channel', () => {
  it('writes batches in order and counts them delivered', async () => {
    const f = fakeFileBackend();
    const c = createFileChannel(f.backend, { diag: createDiag(() => {}) });
    for (let i = 0; i < 5; i++) c.enqueue(batch(i * 10, 10));
    await c.flush();
    expect(f.written).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(c.health().delivered).toBe(50);
  });

  it('retries while the disk fails, in order, and flush() does not hang meanwhile', async () => {
    const f = fakeFileBackend();
    const c = createFileChannel(f.backend, { diag: createDiag(() => {}) });
    f.setFailing(true);
    c.enqueue(batch(0, 10));
    c.enqueue(batch(10, 10));
    await c.flush();
    expect(c.health().state).toBe('retrying');
    expect(c.health().last_error).toContain('ENOSPC');
    f.setFailing(false);
    const end = Date.now() + 5000;
    while (c.health().delivered < 20 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(f.written).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(c.health().state).toBe('healthy');
    await c.close();
  });

  it('beyond maxPendingBytes drops the oldest batches and counts them', async () => {
    const f = fakeFileBackend();
    const diag = createDiag(() => {});
    const c = createFileChannel(f.backend, { diag, maxPendingBytes: 2500 });
    f.setFailing(true);
    for (let i = 0; i < 5; i++) c.enqueue(batch(i * 10, 10));
    const h = c.health();
    expect(h.dropped).toBeGreaterThan(0);
    expect(diag.counters()['logs.dropped.file_backlog']).toBe(h.dropped);
    f.setFailing(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(f.written.length + h.dropped).toBe(50);
    await c.close();
  });
});
