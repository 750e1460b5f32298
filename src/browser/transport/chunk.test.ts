import { describe, expect, it } from 'vitest';
import type { OtlpSpanRecord } from '../../shared/otlp/types.js';
import type { KeyedEntry } from '../queue/types.js';
import { idsIn, logRecord } from '../testing/fakes.js';
import { utf8Length } from '../utf8.js';
import { chunkEntries, MAX_BATCH_BYTES } from './chunk.js';

const entry = (over: Parameters<typeof logRecord>[0] = {}): KeyedEntry => {
  const record = logRecord(over);
  return [record.record_id, { kind: 'log', record, bytes: JSON.stringify(record).length, state: 'pending' }];
};

const span = (i: number): KeyedEntry => {
  const record: OtlpSpanRecord = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: 'GET /api',
    kind: 3,
    startTimeUnixNano: '1751798096123456000',
    endTimeUnixNano: '1751798096223456000',
    status: { code: 0 },
    attributes: [],
    events: [],
    links: [],
    resource: { 'service.name': 'test' },
    scope: { name: 'isotel' },
  };
  return [`S${i}`, { kind: 'span', record, bytes: 300, state: 'pending' }];
};

describe('chunkEntries', () => {
  it('packs records into bodies of at most 60 KB, in order, none lost', () => {
    const entries = Array.from({ length: 2_000 }, (_, i) => entry({ body: `checkout step ${i} ${'x'.repeat(i % 300)}` }));
    const { chunks, tooLarge } = chunkEntries(entries);
    expect(tooLarge).toEqual([]);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.bytes).toBe(utf8Length(c.body));
      expect(c.bytes).toBeLessThanOrEqual(MAX_BATCH_BYTES);
      expect(c.signal).toBe('logs');
    }
    expect(chunks.flatMap((c) => idsIn(c.body))).toEqual(entries.map((e) => e[0]));
  });

  it('counts bytes as UTF-8, so multi-byte text still fits', () => {
    const entries = Array.from({ length: 400 }, () => entry({ body: '日本語のログ'.repeat(40) }));
    for (const c of chunkEntries(entries).chunks) expect(new TextEncoder().encode(c.body).length).toBeLessThanOrEqual(MAX_BATCH_BYTES);
  });

  it('puts logs and spans in separate bodies for /v1/logs and /v1/traces', () => {
    const { chunks } = chunkEntries([entry(), span(1), entry(), span(2)]);
    expect(chunks.map((c) => c.signal).sort()).toEqual(['logs', 'traces']);
    expect(idsIn(chunks.find((c) => c.signal === 'traces')!.body)).toEqual(['0000000000000002', '0000000000000003']);
  });

  it('reports a single record larger than a body as too large, and packs the others', () => {
    const huge = entry({ body: 'b'.repeat(200_000) });
    const small = entry();
    const { chunks, tooLarge } = chunkEntries([huge, small]);
    expect(tooLarge).toEqual([huge[0]]);
    expect(chunks.flatMap((c) => idsIn(c.body))).toEqual([small[0]]);
  });

  it('sends queued OTLP spans grouped under their resource and scope', () => {
    const { chunks } = chunkEntries([span(7), span(8)]);
    const [group] = chunks.map((c) => JSON.parse(c.body).resourceSpans[0]);
    expect(group).toEqual({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'test' } }] },
      scopeSpans: [{ scope: { name: 'isotel' }, spans: [expect.not.objectContaining({ resource: expect.anything() }), expect.anything()] }],
    });
  });

  it('reports a record larger than a reduced body size (after a 413) as too large', () => {
    const { chunks, tooLarge } = chunkEntries([entry({ body: 'x'.repeat(5_000) })], 300);
    expect(chunks).toEqual([]);
    expect(tooLarge).toHaveLength(1);
  });

  it('splits when the estimate was wrong (many small attributes)', () => {
    const attrs: Record<string, number> = {};
    for (let i = 0; i < 120; i++) attrs[`k${i}`] = i;
    const entries = Array.from({ length: 300 }, () => {
      const e = entry({ attributes: attrs });
      e[1].bytes = 10; // a bad estimate
      return e;
    });
    const { chunks } = chunkEntries(entries);
    for (const c of chunks) expect(c.bytes).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(chunks.reduce((n, c) => n + c.entries.length, 0)).toBe(300);
  });
});
