import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { memoizedHash, speedUpAttributeHashing } from './attribute-hash.js';

const require = createRequire(import.meta.url);
const utils = require(join(dirname(require.resolve('@opentelemetry/sdk-metrics')), 'utils.js')) as { hashAttributes: (a: object) => string };

/** sdk-metrics' own hash, as 2.12.0 writes it (the memo must give exactly this). */
function reference(attributes: Record<string, unknown>): string {
  const keys = Object.keys(attributes).sort();
  return keys.length === 0 ? '' : JSON.stringify(keys.map((k) => [k, attributes[k]]));
}

describe('memoizedHash', () => {
  it('gives the original string for every set, whatever the key order, value type or object identity', () => {
    const memo = memoizedHash(reference);
    const values = ['a', '1', 1, 0, -0, 1.5, true, false, null, undefined, NaN, '', 'ünï', [1, 2], ['a']];
    const sets: Record<string, unknown>[] = [{}];
    for (const v of values) for (const w of values) sets.push({ b: v, a: w }, { a: w, b: v }, { a: v }, { 'a.b': v, a: w, z: 1 }, { b: v });
    for (let round = 0; round < 3; round++) for (const s of sets) expect(memo({ ...s })).toBe(reference(s));
    for (const s of sets) expect(memo(s)).toBe(reference(s));
  });

  it('follows an object the app changes between calls', () => {
    const memo = memoizedHash(reference);
    const attrs: Record<string, unknown> = { route: '/a', status: 200 };
    expect(memo(attrs)).toBe(reference({ route: '/a', status: 200 }));
    attrs.status = 500;
    expect(memo(attrs)).toBe(reference({ route: '/a', status: 500 }));
    delete attrs.route;
    expect(memo(attrs)).toBe(reference({ status: 500 }));
  });

  it('starts anew when full, and stays right', () => {
    const memo = memoizedHash(reference, 10);
    for (let i = 0; i < 100; i++) {
      const hot = { route: `/r${i % 2}` };
      expect(memo(hot)).toBe(reference(hot));
      expect(memo(hot)).toBe(reference(hot));
      expect(memo({ user: `u${i}` })).toBe(reference({ user: `u${i}` }));
      expect(memo.nodes).toBeLessThanOrEqual(10);
    }
    expect(memo.bypassing).toBe(false);
  });

  it('skips the trie for a while when the sets are new on almost every call', () => {
    const memo = memoizedHash(reference, 10, 5);
    for (let i = 0; i < 11; i++) memo({ user: `u${i}` });
    expect(memo.bypassing).toBe(true);
    for (let i = 0; i < 5; i++) expect(memo({ user: `v${i}` })).toBe(reference({ user: `v${i}` }));
    expect(memo.nodes).toBe(0);
    expect(memo.bypassing).toBe(false);
    memo({ user: 'w' });
    expect(memo.nodes).toBe(1);
  });
});

describe('speedUpAttributeHashing', () => {
  it('puts the memo in place of the sdk-metrics hash isotel imports, once, and series stay as they were', async () => {
    expect(speedUpAttributeHashing()).toBe(true);
    const installed = utils.hashAttributes;
    expect(speedUpAttributeHashing()).toBe(true);
    expect(utils.hashAttributes).toBe(installed);
    expect(utils.hashAttributes({ b: 'x', a: 1 })).toBe('[["a",1],["b","x"]]');

    class Reader extends MetricReader {
      protected onShutdown = () => Promise.resolve();
      protected onForceFlush = () => Promise.resolve();
    }
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    const counter = provider.getMeter('t').createCounter('c');
    const shared = { route: '/a', method: 'GET' };
    for (let i = 0; i < 10; i++) counter.add(1, shared);
    counter.add(5, { method: 'GET', route: '/a' });
    counter.add(1, { method: 'GET', route: '/b' });
    const points = (await reader.collect()).resourceMetrics.scopeMetrics[0].metrics[0].dataPoints;
    expect(points.map((p) => [p.attributes, p.value])).toEqual([
      [{ route: '/a', method: 'GET' }, 15],
      [{ method: 'GET', route: '/b' }, 1],
    ]);
    await provider.shutdown();
  });
});
