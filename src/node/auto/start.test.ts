import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoConfigFile, autoEnabled, startAuto } from './start.js';

describe('the zero-code start', () => {
  it('takes ISOTEL_CONFIG, else ./isotel.yaml when present, else no file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'isotel-auto-unit-'));
    try {
      expect(autoConfigFile({}, dir)).toBeUndefined();
      writeFileSync(join(dir, 'isotel.yaml'), 'logger: {}\n');
      expect(autoConfigFile({}, dir)).toBe(join(dir, 'isotel.yaml'));
      expect(autoConfigFile({ ISOTEL_CONFIG: 'conf/other.yaml' }, dir)).toBe(join(dir, 'conf/other.yaml'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does nothing with OTEL_SDK_DISABLED=true or in a worker thread', () => {
    expect(autoEnabled({ OTEL_SDK_DISABLED: 'TRUE' })).toBe(false);
    expect(autoEnabled({}, false)).toBe(false);
    expect(autoEnabled({ OTEL_SDK_DISABLED: 'false' })).toBe(true);
  });

  it('reports a broken configuration and resolves without a logger instead of throwing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isotel-auto-unit-'));
    const reports: string[] = [];
    try {
      writeFileSync(join(dir, 'isotel.yaml'), 'logger:\n  tracing:\n    sampler: sometimes\n');
      const logger = await startAuto({ env: {}, cwd: dir, report: (m) => reports.push(m) });
      expect(logger).toBeUndefined();
      expect(reports[0]).toContain('the app runs without telemetry');
      expect(reports[0]).toContain('logger.tracing.sampler');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
