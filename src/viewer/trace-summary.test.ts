import { describe, expect, it } from 'vitest';
import { summarizeTrace } from './trace-summary.js';
import type { Span } from './types.js';

const T = 'abc';
const span = (spanID: string, parent: string | undefined, startTime: number, duration: number, processID: string, error = false): Span => ({
  traceID: T, spanID, operationName: `op-${spanID}`, startTime, duration, processID, logs: [],
  references: parent ? [{ refType: 'CHILD_OF', traceID: T, spanID: parent }] : [],
  tags: error ? [{ key: 'otel.status_code', type: 'string', value: 'ERROR' }] : [],
});

describe('summarizeTrace', () => {
  it('names the root, counts spans per service and errors, and spans the whole trace', () => {
    const s = summarizeTrace({
      traceID: T,
      spans: [span('c', 'r', 150, 100, 'p2', true), span('r', undefined, 100, 120, 'p1'), span('d', 'c', 160, 10, 'p2')],
      processes: { p1: { serviceName: 'web', tags: [] }, p2: { serviceName: 'api', tags: [] } },
    });
    expect(s).toEqual({
      traceID: T, rootName: 'op-r', rootService: 'web', services: [{ name: 'api', spans: 2 }, { name: 'web', spans: 1 }], spanCount: 3, errorCount: 1, start: 100, duration: 150,
    });
  });

  it('takes the earliest span whose parent is missing as the root', () => {
    const s = summarizeTrace({ traceID: T, spans: [span('x', 'gone', 5, 1, 'p1')], processes: {} });
    expect([s.rootName, s.rootService]).toEqual(['op-x', 'p1']);
  });
});
