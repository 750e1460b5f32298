import { describe, it, expect } from 'vitest';
import { buildBulkBody, readBulkResponse } from './bulk.js';
import { compileIndexPattern } from './index-name.js';
import { makeLog, makeSpan } from './test-records.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const logs = compileIndexPattern('logs-t-%Y.%m.%d', 'index_pattern');
const spans = compileIndexPattern('traces-t-%Y.%m.%d', 'span_index_pattern');

describe('buildBulkBody', () => {
  it('writes one create action per record, with the record id and the index of its own day', () => {
    const log = makeLog(1, TRACE, Date.UTC(2024, 1, 29, 23, 59));
    const span = makeSpan(2, TRACE, Date.UTC(2025, 0, 1));
    const body = buildBulkBody({ logs: [log], spans: [span], metrics: [] }, logs, spans, 'metrics-isotel-default');
    const lines = body.ndjson.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
    expect(JSON.parse(lines[0])).toEqual({ create: { _index: 'logs-t-2024.02.29', _id: log.record_id } });
    expect(JSON.parse(lines[1]).record_id).toBe(log.record_id);
    expect(JSON.parse(lines[2])).toEqual({ create: { _index: 'traces-t-2025.01.01', _id: `${TRACE}-${span.span_id}` } });
    expect(body.count).toBe(2);
  });

  it('refuses a record whose timestamp cannot name an index, keeping the others', () => {
    const bad = { ...makeLog(1, TRACE), timestamp: 'yesterday' };
    const body = buildBulkBody({ logs: [bad, makeLog(2, TRACE)], spans: [], metrics: [] }, logs, spans, 'metrics-isotel-default');
    expect(body.count).toBe(1);
    expect(body.rejected).toEqual([{ id: bad.record_id, reason: expect.stringContaining('"yesterday" is not ISO 8601') }]);
  });
});

const item = (status: number, id: string, error?: { type: string; reason: string }) => ({ create: { _id: id, status, ...(error ? { error } : {}) } });

describe('readBulkResponse', () => {
  it('counts everything stored when errors is false', () => {
    expect(readBulkResponse({ errors: false, items: [] }, 3)).toEqual({ rejected: [], stored: 3 });
  });

  it('treats 409 (already stored) as success', () => {
    const r = readBulkResponse({ errors: true, items: [item(201, 'a'), item(409, 'b', { type: 'version_conflict_engine_exception', reason: 'exists' })] }, 2);
    expect(r).toEqual({ rejected: [], stored: 2 });
  });

  it('rejects mapping errors for those ids only', () => {
    const r = readBulkResponse(
      { errors: true, items: [item(201, 'a'), item(400, 'b', { type: 'document_parsing_exception', reason: 'failed to parse field [trace_flags]' })] },
      2,
    );
    expect(r.retryReason).toBeUndefined();
    expect(r.rejected).toEqual([{ id: 'b', reason: 'elasticsearch backend: document_parsing_exception: failed to parse field [trace_flags]' }]);
  });

  it('asks for a retry when any item was refused for now (429, 5xx, rejected execution, cluster block)', () => {
    for (const [status, type] of [[429, 'es_rejected_execution_exception'], [503, 'unavailable_shards_exception'], [403, 'cluster_block_exception']] as const) {
      const r = readBulkResponse({ errors: true, items: [item(201, 'a'), item(status, 'b', { type, reason: 'later' }), item(400, 'c', { type: 'mapper_parsing_exception', reason: 'no' })] }, 3);
      expect(r.retryReason).toMatch(new RegExp(`1 of 3 records refused for now \\(${type}: later\\)`));
      expect(r.rejected.map((x) => x.id)).toEqual(['c']);
    }
  });

  it('asks for a retry when the response does not account for every record', () => {
    expect(readBulkResponse({ errors: true, items: [item(201, 'a')] }, 2).retryReason).toMatch(/1 items for 2 records/);
    expect(readBulkResponse('garbage', 2).retryReason).toBeDefined();
  });
});
