import type { LogRecord } from '../../shared/model.js';
import { spawnWriterThread, type WriterThread } from './spawn.js';

/** Tests only: a spawn function that keeps every writer thread it starts, so a test can end one. */
export function recordingSpawn(): { spawn: typeof spawnWriterThread; threads: WriterThread[] } {
  const threads: WriterThread[] = [];
  const spawn: typeof spawnWriterThread = (target) => {
    const t = spawnWriterThread(target);
    threads.push(t);
    return t;
  };
  return { spawn, threads };
}

/** Tests only: a plain log record of about 400 bytes as a JSON line. */
export function plainLog(id: string): LogRecord {
  return {
    record_id: id,
    timestamp: '2026-11-21T10:00:00.000001Z',
    observed_timestamp: '2026-11-21T10:00:00.000001Z',
    severity_text: 'INFO',
    severity_number: 9,
    body: 'x'.repeat(200),
    attributes: {},
    resource: { 'service.name': 's' },
    scope: { name: 'isotel' },
  };
}
