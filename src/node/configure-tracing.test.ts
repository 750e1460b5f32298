import { describe, expect, it } from 'vitest';
import { AlwaysOffSampler, AlwaysOnSampler } from '@opentelemetry/sdk-trace-base';
import { createDiag } from '../shared/diag.js';
import { parseConfigObject } from './config/index.js';
import { startTracing } from './configure-tracing.js';
import type { LoggerCore } from './logger-core.js';

const limits = { maxStringLength: 1000, maxAttributes: 128, maxDepth: 8, maxArrayLength: 1000 };

describe('startTracing', () => {
  it('enables no instrumentations when register_global is false (the app’s SDK brings its own), and says why', async () => {
    const messages: string[] = [];
    const diag = createDiag((_level, message) => messages.push(message));
    const { tracing: config, metrics } = parseConfigObject({ logger: {} }).logger;
    const t = startTracing({
      config,
      metrics,
      registerGlobal: false,
      resource: { 'service.name': 't' },
      scope: { name: 'isotel' },
      core: {} as LoggerCore, // not used without global registration
      diag,
      onSpan: () => {},
      sampler: new AlwaysOnSampler(),
      limits,
    });
    try {
      expect(config.instrumentations.length).toBeGreaterThan(0);
      expect(t.instrumentations).toEqual([]);
      expect(messages.join('\n')).toContain('register_global is false: isotel enables no instrumentations');
    } finally {
      await t.shutdown();
    }
  });

  it('a reload applies the sampler and propagate_to, and reports the keys that wait for the next start', async () => {
    const messages: string[] = [];
    const diag = createDiag((_level, message) => messages.push(message));
    const { tracing: config, metrics } = parseConfigObject({ logger: { tracing: { instrumentations: [] } } }).logger;
    const t = startTracing({ config, metrics, registerGlobal: false, resource: { 'service.name': 't' }, scope: { name: 'isotel' }, core: {} as LoggerCore, diag, onSpan: () => {}, sampler: new AlwaysOnSampler(), limits });
    try {
      expect(t.tracer.startSpan('before').isRecording()).toBe(true);
      const next = parseConfigObject({ logger: { tracing: { instrumentations: ['http'], sampler: 'always_off', propagate_to: ['*'] } } }).logger.tracing;
      t.reconfigure(next, new AlwaysOffSampler());
      expect(t.tracer.startSpan('after').isRecording()).toBe(false);
      expect(messages.filter((m) => m.startsWith('config reload:'))).toEqual([
        'config reload: logger.tracing.instrumentations change(s) apply at the next start (they patch libraries or register globals)',
      ]);
      t.reconfigure(next, new AlwaysOffSampler()); // unchanged: nothing more to report
      expect(messages.filter((m) => m.startsWith('config reload:'))).toHaveLength(1);
    } finally {
      await t.shutdown();
    }
  });

  it('serves no metrics port when register_global is false (the app’s SDK owns the meter provider), and says so', async () => {
    const messages: string[] = [];
    const diag = createDiag((_level, message) => messages.push(message));
    const { tracing: config, metrics } = parseConfigObject({ logger: { metrics: { prometheus: { port: 1 } } } }).logger;
    const t = startTracing({ config, metrics, registerGlobal: false, resource: {}, scope: { name: 'isotel' }, core: {} as LoggerCore, diag, onSpan: () => {}, sampler: new AlwaysOnSampler(), limits });
    await t.ready;
    await t.shutdown();
    expect(messages.join('\n')).toContain('isotel registers no meter provider and serves no metrics port');
  });
});
