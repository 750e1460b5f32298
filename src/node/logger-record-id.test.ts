import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureLogger, type Logger } from './index.js';
import type { LogRecord } from '../shared/model.js';

let dir: string | undefined;
let logger: Logger | undefined;
afterEach(async () => {
  await logger?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the Node logger record ids', () => {
  it('gives identical records logged in a tight loop distinct ids, even on a frozen clock', async () => {
    dir = mkdtempSync(join(tmpdir(), 'isotel-ids-'));
    const file = join(dir, 'app.jsonl');
    logger = await configureLogger({
      config: { logger: { enable_console: false, data_dir: join(dir, 'data'), backends: [{ backend_type: 'filesystem', config: { log_file: file } }] } },
      watch: false,
      exitHooks: false,
      clock: { nowMs: () => 1_751_798_096_123 },
    });
    for (let i = 0; i < 1000; i++) logger.info('tick', { n: 1 });
    await logger.flush();
    const records = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogRecord);
    expect(records).toHaveLength(1000);
    expect(new Set(records.map((r) => r.timestamp)).size).toBe(1);
    expect(new Set(records.map((r) => r.record_id)).size).toBe(1000);
  });
});
