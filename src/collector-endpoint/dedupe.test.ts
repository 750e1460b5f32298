import { describe, it, expect } from 'vitest';
import type { Batch } from '../shared/model.js';
import type { AppendResult } from '../node/engine/index.js';
import { logRecord, spanRecord } from '../shared/otlp/fixtures/samples.js';
import { IngestDedupe, logKey, spanKey } from './dedupe.js';

const logs = (...ids: string[]): Batch => ({ logs: ids.map((id) => logRecord({ record_id: id })), spans: [], metrics: [] });
const spans = (...ids: string[]): Batch => ({ spans: ids.map((id) => spanRecord({ span_id: id.padStart(16, '0') })), logs: [], metrics: [] });
const ids = (b: Batch) => [...b.logs.map((r) => r.record_id), ...b.spans.map((s) => s.span_id.replace(/^0+/, ''))];

/** A write-ahead log stand-in: records what was appended; `next` decides the outcome of each append. */
function fakeWal() {
  const appended: string[][] = [];
  const outcomes: Array<() => Promise<AppendResult>> = [];
  const append = (b: Batch): Promise<AppendResult> => {
    appended.push(ids(b));
    return (outcomes.shift() ?? (() => Promise.resolve<AppendResult>({ ok: true, seq: appended.length })))();
  };
  return { appended, append, next: (o: () => Promise<AppendResult>) => outcomes.push(o) };
}

const FULL: AppendResult = { ok: false, reason: 'full', message: 'write-ahead log full' };

function deferred() {
  const settle = { resolve: (_: AppendResult): void => undefined };
  const promise = new Promise<AppendResult>((r) => (settle.resolve = r));
  return { promise, resolve: (r: AppendResult) => settle.resolve(r) };
}

describe('IngestDedupe', () => {
  it('does not append again ids accepted before, and the request still succeeds', async () => {
    const d = new IngestDedupe({ maxIds: 100, windowSeconds: 3600 });
    const wal = fakeWal();
    expect(await d.appendOnce(logs('a', 'b'), wal.append)).toEqual({ result: { ok: true, seq: 1 }, appended: 2, duplicates: 0 });
    expect(await d.appendOnce(logs('a', 'b'), wal.append)).toEqual({ result: { ok: true }, appended: 0, duplicates: 2 });
    expect(await d.appendOnce(logs('b', 'c'), wal.append)).toMatchObject({ result: { ok: true }, appended: 1, duplicates: 1 });
    expect(wal.appended).toEqual([['a', 'b'], ['c']]);
    expect(d.stats()).toEqual({ ids: 3, max_ids: 100, window_seconds: 3600, duplicates_dropped: 3 });
  });

  it('keeps the first record of an id repeated within one request', async () => {
    const d = new IngestDedupe({ maxIds: 100, windowSeconds: 3600 });
    const wal = fakeWal();
    const batch = logs('a', 'b', 'a');
    batch.logs[2].body = 'the second a';
    expect(await d.appendOnce(batch, wal.append)).toMatchObject({ appended: 2, duplicates: 1 });
    expect(wal.appended).toEqual([['a', 'b']]);
  });

  it('does not remember the ids of a failed append: the retry is appended', async () => {
    const d = new IngestDedupe({ maxIds: 100, windowSeconds: 3600 });
    const wal = fakeWal();
    wal.next(() => Promise.resolve(FULL));
    wal.next(() => Promise.reject(new Error('EIO')));
    expect(await d.appendOnce(logs('a'), wal.append)).toEqual({ result: FULL, appended: 1, duplicates: 0 });
    expect(await d.appendOnce(logs('a'), wal.append)).toMatchObject({ result: { ok: false, reason: 'io', message: 'EIO' } });
    expect(await d.appendOnce(logs('a'), wal.append)).toMatchObject({ result: { ok: true }, appended: 1 });
    expect(wal.appended).toEqual([['a'], ['a'], ['a']]);
    expect(d.stats()).toMatchObject({ ids: 1, duplicates_dropped: 0 });
  });

  it('starts the append before it returns when no id is in flight elsewhere', () => {
    const d = new IngestDedupe({ maxIds: 100, windowSeconds: 3600 });
    const wal = fakeWal();
    void d.appendOnce(logs('a'), wal.append);
    expect(wal.appended).toEqual([['a']]);
  });

  it('lets a request whose ids are in flight wait for that append: dropped if it succeeded, appended if it failed', async () => {
    const d = new IngestDedupe({ maxIds: 100, windowSeconds: 3600 });
    const wal = fakeWal();
    const first = deferred();
    wal.next(() => first.promise);
    const a = d.appendOnce(logs('a', 'b'), wal.append);
    const b = d.appendOnce(logs('b', 'c'), wal.append);
    expect(wal.appended).toEqual([['a', 'b']]);
    first.resolve({ ok: true, seq: 1 });
    expect(await a).toMatchObject({ appended: 2 });
    expect(await b).toMatchObject({ result: { ok: true }, appended: 1, duplicates: 1 });
    expect(wal.appended).toEqual([['a', 'b'], ['c']]);

    const failing = deferred();
    wal.next(() => failing.promise);
    const c = d.appendOnce(logs('x'), wal.append);
    const e = d.appendOnce(logs('x'), wal.append);
    failing.resolve(FULL);
    expect(await c).toMatchObject({ result: FULL });
    expect(await e).toMatchObject({ result: { ok: true }, appended: 1, duplicates: 0 });
    expect(wal.appended.slice(2)).toEqual([['x'], ['x']]);
  });

  it('keys spans by trace_id + span_id, apart from log ids', async () => {
    const d = new IngestDedupe({ maxIds: 100, windowSeconds: 3600 });
    const wal = fakeWal();
    await d.appendOnce(spans('1', '2'), wal.append);
    const other = spans('1');
    other.spans[0].trace_id = 'f'.repeat(32);
    expect(await d.appendOnce(other, wal.append)).toMatchObject({ appended: 1 });
    expect(await d.appendOnce(spans('2'), wal.append)).toMatchObject({ appended: 0, duplicates: 1 });
    const s = spanRecord();
    expect(spanKey(s)).toHaveLength(25);
    expect(spanKey(s)).not.toBe(logKey(logRecord({ record_id: s.trace_id + s.span_id })));
  });

  it('appends again an id that left the window (bounded by max_ids)', async () => {
    const d = new IngestDedupe({ maxIds: 2, windowSeconds: 3600 });
    const wal = fakeWal();
    await d.appendOnce(logs('a', 'b', 'c'), wal.append);
    expect(await d.appendOnce(logs('a', 'c'), wal.append)).toMatchObject({ appended: 1, duplicates: 1 });
    expect(d.stats().ids).toBe(2);
  });

  it('with the window off, still keeps one record per id within a request and remembers nothing', async () => {
    const d = new IngestDedupe({ maxIds: 0, windowSeconds: 3600 });
    const wal = fakeWal();
    expect(await d.appendOnce(logs('a', 'a'), wal.append)).toMatchObject({ appended: 1, duplicates: 1 });
    expect(await d.appendOnce(logs('a'), wal.append)).toMatchObject({ appended: 1, duplicates: 0 });
    expect(d.stats().ids).toBe(0);
  });
});
