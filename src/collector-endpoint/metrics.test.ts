import { describe, it, expect } from 'vitest';
import { IngestMetrics } from './metrics.js';

describe('the ingest metrics exposition', () => {
  it('follows the Prometheus naming rules promtool checks: counters end in _total, write time is a summary', () => {
    const m = new IngestMetrics();
    m.accepted.logs = 3;
    m.reject('invalid_record', 2);
    m.request('/v1/logs', 200);
    const backend = { name: 'pg', state: 'healthy' as const, waiting_on_disk: 0, delivered: 3, dead_lettered: 0, dropped: 0, write_seconds_total: 0.25, writes_total: 2 };
    const text = m.render({ bytes: 100, max: 1000 }, [backend], 3);
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({ name, type }));
    for (const t of types.filter((x) => x.type === 'counter')) expect(t.name).toMatch(/_total$/);
    expect(types).toContainEqual({ name: 'isotel_backend_write_seconds', type: 'summary' });
    expect(text).toContain('isotel_backend_write_seconds_sum{backend="pg"} 0.25');
    expect(text).toContain('isotel_backend_write_seconds_count{backend="pg"} 2');
    // Every sample belongs to the family its TYPE line announced just before.
    let family = '';
    for (const line of text.trim().split('\n')) {
      const t = /^# TYPE (\S+)/.exec(line);
      if (t) family = t[1];
      else if (!line.startsWith('#')) expect(line.startsWith(family)).toBe(true);
    }
  });
});
