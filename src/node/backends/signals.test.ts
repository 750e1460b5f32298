import { describe, it, expect } from 'vitest';
import type { Batch, MetricPoint } from '../../shared/model.js';
import { SUCCESS, failure, type WriteResult } from '../../shared/result.js';
import { makeLog } from './elasticsearch/test-records.js';
import { withSignalCheck } from './signals.js';
import type { Backend } from './types.js';

const point = (id: string): MetricPoint => ({
  point_id: id, name: 'orders', type: 'sum', temporality: 'cumulative', monotonic: true, time: '2026-12-07T00:00:00.000000Z',
  attributes: {}, resource: {}, scope: { name: 's' }, value: 1,
});

function recording(result: WriteResult = SUCCESS, signals?: Backend['signals']) {
  const seen: Batch[] = [];
  const backend: Backend = { name: 'mine', write: async (b) => (seen.push(b), result), flush: async () => {}, close: async () => {}, ...(signals ? { signals } : {}) };
  return { backend: withSignalCheck(backend), seen };
}

describe('withSignalCheck', () => {
  it('refuses the metric points of a backend that does not list metrics, with a reason, and writes the rest', async () => {
    const { backend, seen } = recording();
    const log = makeLog(1, 'a'.repeat(32));
    const r = await backend.write({ logs: [log], spans: [], metrics: [point('p1'), point('p2')] });
    expect(seen).toEqual([{ logs: [log], spans: [], metrics: [] }]);
    expect(r).toEqual(failure([
      { id: 'p1', reason: 'backend mine does not store metric points (not supported yet); refused, not dropped' },
      { id: 'p2', reason: 'backend mine does not store metric points (not supported yet); refused, not dropped' },
    ]));
  });

  it('does not call the backend for a batch of points alone, and passes a retryable answer on as it is', async () => {
    const only = recording();
    expect((await only.backend.write({ logs: [], spans: [], metrics: [point('p')] })).status).toBe('failure');
    expect(only.seen).toEqual([]);
    const down = recording({ status: 'retryable', delayMs: 5, reason: 'down' });
    expect(await down.backend.write({ logs: [makeLog(1, 'a'.repeat(32))], spans: [], metrics: [point('p')] })).toEqual({ status: 'retryable', delayMs: 5, reason: 'down' });
  });

  it('skips, without a write or a dead letter, the signals a backend lists in skips, and still refuses the others', async () => {
    const seen: Batch[] = [];
    const inner: Backend = { name: 'points', signals: ['metric'], skips: ['log'], write: async (b) => (seen.push(b), SUCCESS), flush: async () => {}, close: async () => {} };
    const backend = withSignalCheck(inner);
    const log = makeLog(1, 'a'.repeat(32));
    expect(await backend.write({ logs: [log], spans: [], metrics: [] })).toEqual(SUCCESS);
    expect(seen).toEqual([]);
    expect(await backend.write({ logs: [log], spans: [], metrics: [point('p1')] })).toEqual(SUCCESS);
    expect(seen).toEqual([{ logs: [], spans: [], metrics: [point('p1')] }]);
    const span = { ...makeLog(2, 'b'.repeat(32)) } as unknown as Batch['spans'][number];
    const r = await backend.write({ logs: [], spans: [{ ...span, trace_id: 'b'.repeat(32), span_id: 'c'.repeat(16) }], metrics: [] });
    expect(r.status).toBe('failure');
  });

  it('leaves a backend that stores every signal as it is', async () => {
    const inner: Backend = { name: 'all', signals: ['log', 'span', 'metric'], write: async () => SUCCESS, flush: async () => {}, close: async () => {} };
    expect(withSignalCheck(inner)).toBe(inner);
  });
});
