import { describe, expect, it } from 'vitest';
import { parseConfigText } from './index.js';
import { issuesOf } from './testing.js';

describe('logger.metrics', () => {
  it('defaults to an enabled meter provider, 2,000 series per instrument and no metrics port', () => {
    expect(parseConfigText('logger: {}\n').logger.metrics).toEqual({ enabled: true, cardinality_limit: 2000, export_interval: 60, temporality: 'cumulative', prometheus: { host: '127.0.0.1' }, views: [] });
  });

  it('takes a Prometheus port and host', () => {
    const cfg = parseConfigText('logger:\n  metrics:\n    prometheus:\n      port: 9464\n      host: 0.0.0.0\n    cardinality_limit: 500\n');
    expect(cfg.logger.metrics).toEqual({ enabled: true, cardinality_limit: 500, export_interval: 60, temporality: 'cumulative', prometheus: { port: 9464, host: '0.0.0.0' }, views: [] });
  });

  it('rejects an unknown key, a port out of range and a limit below 2, naming the field and line', () => {
    const issues = issuesOf('logger:\n  metrics:\n    prometheus:\n      prot: 9464\n      port: 70000\n    cardinality_limit: 1\n');
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ['logger.metrics.prometheus.prot', 4],
      ['logger.metrics.prometheus.port', 5],
      ['logger.metrics.cardinality_limit', 6],
    ]);
    expect(issues[0].message).toBe('unknown key "prot" (did you mean "port"?)');
  });

  it('takes an export interval in seconds and delta temporality; rejects an interval below 0.1 s and another temporality', () => {
    expect(parseConfigText('logger:\n  metrics:\n    export_interval: 0.5\n    temporality: delta\n').logger.metrics).toMatchObject({ export_interval: 0.5, temporality: 'delta' });
    const issues = issuesOf('logger:\n  metrics:\n    export_interval: 0\n    temporality: cumulativ\n');
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ['logger.metrics.export_interval', 3],
      ['logger.metrics.temporality', 4],
    ]);
  });
});
