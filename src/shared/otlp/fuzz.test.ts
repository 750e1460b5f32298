import { describe, it, expect } from 'vitest';
import type { LogRecord, SpanRecord } from '../model.js';
import { decodeLogs, decodeSpans } from './index.js';
import { modelViolations, NOW_MS, realisticLogsRequest, realisticTraceRequest } from './fixtures/samples.js';
import { seededRandom as rng } from '../testing/seeded-random.js';

const limits = { nowMs: NOW_MS };
const ITERATIONS = 2_000;


const deep = (n: number): unknown => (n === 0 ? {} : { kvlistValue: { values: [{ key: 'k', value: deep(n - 1) }] } });
const throwing = Object.defineProperty({}, 'stringValue', {
  enumerable: true,
  get() {
    throw new Error('getter threw');
  },
});

const JUNK: unknown[] = [
  null, undefined, 0, -1, 1.5, 2 ** 64, Number.NaN, Infinity, '', 'x', '\ud800', 'zz', '0'.repeat(32), 'A'.repeat(32),
  'CvdlGRbNQ92ESOshHIAxnA==', '1751798096000000000', '18446744073709551616', '-1', true, false, {}, [], [null], [[]],
  { stringValue: 'x' }, { intValue: '12' }, { intValue: 1e300 }, { doubleValue: 'NaN' }, { bytesValue: '$$' },
  { kvlistValue: { values: [{ key: '__proto__', value: {} }] } }, { arrayValue: { values: {} } }, deep(12),
  'x'.repeat(70_000), 5n, Symbol('s'), () => 1, new Date(0), new Uint8Array(2), Object.create(null), throwing,
  { key: 'constructor', value: { stringValue: 'c' } }, { key: 'k'.repeat(300) }, 25, 'SPAN_KIND_SERVER',
];
const JUNK_KEYS = ['__proto__', 'constructor', 'prototype', '', 'stringValue', 'intValue', 'key', 'value', 'values', 'traceId'];

// defineProperty, so '__proto__' becomes an own key as JSON.parse makes it, not a prototype change.
const set = (o: object, k: string | number, value: unknown) =>
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });

type Slot = [container: Record<string | number, unknown>, key: string | number];

const walkable = (v: unknown): v is object =>
  v !== null && typeof v === 'object' && v !== throwing && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype);

/** A copy of the plain objects and arrays; anything else (functions, symbols, the throwing getter) shared. */
function clone(v: unknown): unknown {
  if (!walkable(v)) return v;
  if (Array.isArray(v)) return v.map(clone);
  const out = {};
  for (const [k, x] of Object.entries(v)) set(out, k, clone(x));
  return out;
}

function slots(v: unknown, out: Slot[] = []): Slot[] {
  if (!walkable(v)) return out;
  const o = v as Record<string | number, unknown>;
  for (const k of Array.isArray(v) ? v.keys() : Object.keys(o)) {
    out.push([o, k]);
    slots(o[k], out);
  }
  return out;
}


function mutate(body: unknown, random: () => number): void {
  const all = slots(body);
  if (all.length === 0) return;
  const [container, key] = all[Math.floor(random() * all.length)];
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  switch (Math.floor(random() * 4)) {
    case 0:
      set(container, key, pick(JUNK));
      break;
    case 1:
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else delete container[key];
      break;
    case 2: {
      const [other, otherKey] = pick(all);
      set(container, key, clone(other[otherKey]));
      break;
    }
    default:
      if (!Array.isArray(container)) {
        const value = container[key];
        delete container[key];
        set(container, pick(JUNK_KEYS), value);
      }
  }
}

function itemCount(body: unknown, keys: [string, string, string]): number {
  let n = 0;
  const level = (v: unknown, key: string) => {
    const list = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
    return Array.isArray(list) ? list : [];
  };
  for (const r of level(body, keys[0])) for (const s of level(r, keys[1])) n += level(s, keys[2]).length;
  return n;
}

describe('decoding randomly mutated requests', () => {
  it.each([
    ['logs', realisticLogsRequest, (b: unknown) => decodeLogs(b, limits), ['resourceLogs', 'scopeLogs', 'logRecords']],
    ['spans', realisticTraceRequest, (b: unknown) => decodeSpans(b, limits), ['resourceSpans', 'scopeSpans', 'spans']],
  ] as const)('never throws and never returns a record that breaks the model (%s)', (kind, base, decode, keys) => {
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype);
    const seed = 20250706;
    const random = rng(seed);
    let kept = 0;
    let rejected = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const body = base();
      const mutations = 1 + Math.floor(random() * 4);
      for (let m = 0; m < mutations; m++) mutate(body, random);
      let result;
      try {
        result = decode(body);
      } catch (err) {
        throw new Error(`seed ${seed}, iteration ${i}: decode threw ${String(err)}`);
      }
      for (const record of result.records) {
        const bad = modelViolations(kind === 'logs' ? 'log' : 'span', record as LogRecord & SpanRecord);
        if (bad.length > 0) throw new Error(`seed ${seed}, iteration ${i}: ${bad.join(', ')} in ${JSON.stringify(record)}`);
      }
      expect(result.records.length + result.rejected).toBeLessThanOrEqual(itemCount(body, [...keys]));
      expect(result.errors.length).toBeLessThanOrEqual(21);
      kept += result.records.length;
      rejected += result.rejected;
    }
    // The mutations must exercise both outcomes, or the loop proves little.
    expect(kept).toBeGreaterThan(ITERATIONS / 2);
    expect(rejected).toBeGreaterThan(ITERATIONS / 4);
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(prototypeBefore);
  });
});
