import { describe, it, expect } from 'vitest';
import { createRecordIdGenerator } from '../ids.js';
import { isoToMs } from '../time.js';
import { createPointIdDeriver, createRequestIdDeriver, derivePointId, deriveRecordId } from './derive-id.js';
import type { MetricPoint } from '../model.js';
import { logRecord } from './fixtures/samples.js';

describe('deriveRecordId', () => {
  it('is a time prefix and 32 hex characters of a content hash, valid as a log.record.uid', () => {
    const id = deriveRecordId(logRecord({ record_id: '' }));
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}-[0-9a-f]{32}$/);
    expect(id).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  });

  it('gives a retried record the same id: the observed time, record_id and key order do not count', () => {
    const a = logRecord({ record_id: '', attributes: { x: 1, y: { b: 2, a: 1 } } });
    const b = logRecord({
      record_id: 'whatever',
      observed_timestamp: '2025-07-06T11:00:00.000000Z',
      attributes: { y: { a: 1, b: 2 }, x: 1 },
    });
    expect(deriveRecordId(b)).toBe(deriveRecordId(a));
  });

  it('differs when anything the record says differs', () => {
    const base = deriveRecordId(logRecord());
    const variants = [
      logRecord({ body: 'other' }),
      logRecord({ timestamp: '2025-07-06T10:34:56.123457Z' }),
      logRecord({ severity_number: 10 }),
      logRecord({ trace_id: '0af7651916cd43dd8448eb211c80319c' }),
      logRecord({ attributes: { 'order.id': 'A-18' } }),
      logRecord({ resource: { 'service.name': 'other' } }),
      logRecord({ scope: { name: 'other' } }),
      logRecord({ event_name: 'e' }),
    ];
    const ids = new Set(variants.map(deriveRecordId));
    expect(ids.size).toBe(variants.length);
    expect(ids.has(base)).toBe(false);
  });

  it('sorts by time together with the ids isotel generates', () => {
    const early = logRecord({ timestamp: '2025-07-06T10:34:56.123456Z' });
    const late = logRecord({ timestamp: '2025-07-06T10:34:56.124000Z' });
    expect(deriveRecordId(early) < deriveRecordId(late)).toBe(true);
    const native = createRecordIdGenerator()(isoToMs(early.timestamp));
    expect(deriveRecordId(early).slice(0, 10)).toBe(native.slice(0, 10));
  });

  it('gives identical records of one request distinct ids, the first the same id as alone', () => {
    const derive = createRequestIdDeriver();
    const records = [logRecord(), logRecord({ body: 'other' }), logRecord(), logRecord(), logRecord({ body: 'other' })];
    const ids = records.map(derive);
    expect(new Set(ids).size).toBe(5);
    expect(ids[0]).toBe(deriveRecordId(logRecord()));
    expect(ids[2]).toBe(deriveRecordId(logRecord(), 1));
    expect(ids[3]).toBe(deriveRecordId(logRecord(), 2));
    expect(ids[4]).toBe(deriveRecordId(logRecord({ body: 'other' }), 1));
    for (const id of ids) expect(id.slice(0, 10)).toBe(ids[0].slice(0, 10));
  });

  it('gives the same request re-sent the same ids (a deriver per request)', () => {
    const request = () => [logRecord(), logRecord(), logRecord({ body: 'x' }), logRecord()];
    expect(request().map(createRequestIdDeriver())).toEqual(request().map(createRequestIdDeriver()));
  });

  it('salts so that no repeat takes the id of another content', () => {
    const derive = createRequestIdDeriver();
    const repeats = Array.from({ length: 1000 }, () => derive(logRecord()));
    const others = Array.from({ length: 1000 }, (_, i) => deriveRecordId(logRecord({ body: `#${i}` })));
    expect(new Set([...repeats, ...others]).size).toBe(2000);
  });
});

describe('point ids', () => {
  const resource = { 'service.name': 'shop', 'service.instance.id': 'i-1', n: 3 };
  const scope = { name: 'checkout', version: '1.2.0', attributes: { 'a.b': true } };
  const points = (): MetricPoint[] => [
    { point_id: '', name: 'orders', type: 'sum', temporality: 'cumulative', monotonic: true, unit: '{order}', time: '2026-12-06T09:59:59.000000Z', value: 3, attributes: { region: 'eu', code: 200 }, resource, scope },
    { point_id: '', name: 'orders', type: 'sum', temporality: 'cumulative', monotonic: true, unit: '{order}', time: '2026-12-06T09:59:59.000000Z', value: 4, attributes: { code: 200, region: 'eu' }, resource, scope },
    { point_id: '', name: 'queue.depth', type: 'gauge', time: '2026-12-06T10:00:00.123456789Z', value: 1.5, attributes: {}, resource, scope: { name: '' } },
    { point_id: '', name: 'lat', type: 'histogram', temporality: 'delta', unit: 's', time: '2026-12-06T10:00:01Z', attributes: { route: '/x', list: ['a', 1] }, resource: {}, scope } as MetricPoint,
  ];
  // The ids of these points as every earlier version derived them: a changed id would store a re-sent point twice.
  const GOLDEN = ['01M95CQJ8R-f92a931f333bbce88541372cbaa983c9', '01M95CQJ8R-f92a931f333bbce88541372cbaa983c9', '01M95CQKBV-ca49e6f2c49f29d19cdbe920e5883d1c', '01M95CQM78-1beb4c8319b690dac5040abc84a52215'];

  it('are stable across versions, and equal for the same stream and time whatever the attribute order or value', () => {
    expect(points().map(derivePointId)).toEqual(GOLDEN);
  });

  it('come out the same from one deriver per request, which reads a shared resource and scope once', () => {
    const derive = createPointIdDeriver();
    expect(points().map(derive)).toEqual(GOLDEN);
    expect(points().map(derive)).toEqual(GOLDEN);
  });
});

describe('record ids', () => {
  it('are stable across versions for a content and its repeats in a request (non-ASCII body included)', () => {
    const r = logRecord({ record_id: '', body: 'ünï 😀 tight loop' });
    const derive = createRequestIdDeriver();
    expect([derive(r), derive(r), derive(r)]).toEqual(['01JZFMV87V-5949f7d99757a999b37b323bb470017a', '01JZFMV87V-52549cd04562059c2dac70458537ce1e', '01JZFMV87V-5f87035140ac047d56824533b6e1bb56']);
  });
});
