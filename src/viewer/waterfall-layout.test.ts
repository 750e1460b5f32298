import { describe, expect, it } from 'vitest';
import { axisPosition, labelPlacement, layoutTrace } from './waterfall-layout.js';
import type { KeyValue, Span, Trace } from './types.js';

const T = '0af7651916cd43dd8448eb211c80319c';

function span(spanID: string, parent: string | undefined, startTime: number, duration: number, processID = 'p1', tags: KeyValue[] = []): Span {
  return {
    traceID: T,
    spanID,
    operationName: `op-${spanID}`,
    references: parent ? [{ refType: 'CHILD_OF', traceID: T, spanID: parent }] : [],
    startTime,
    duration,
    tags,
    logs: [],
    processID,
  };
}

function trace(spans: Span[]): Trace {
  return {
    traceID: T,
    spans,
    processes: {
      p1: { serviceName: 'web', tags: [{ key: 'telemetry.sdk.language', type: 'string', value: 'webjs' }] },
      p2: { serviceName: 'api', tags: [{ key: 'telemetry.sdk.language', type: 'string', value: 'nodejs' }] },
    },
  };
}

describe('layoutTrace', () => {
  const t = trace([
    span('c2', 'root', 1_060, 30, 'p2', [{ key: 'error', type: 'bool', value: true }]),
    span('root', undefined, 1_000, 100),
    span('c1', 'root', 1_010, 40, 'p2'),
    span('g1', 'c1', 1_020, 10, 'p2'),
  ]);
  const layout = layoutTrace(t);

  it('orders rows depth-first, children by start time, with their depth', () => {
    expect(layout.rows.map((r) => [r.span.spanID, r.depth])).toEqual([['root', 0], ['c1', 1], ['g1', 2], ['c2', 1]]);
  });

  it('places each bar on the trace time axis as fractions of the whole', () => {
    expect(layout.start).toBe(1_000);
    expect(layout.duration).toBe(100);
    const g1 = layout.rows.find((r) => r.span.spanID === 'g1');
    expect(g1?.left).toBeCloseTo(0.2);
    expect(g1?.width).toBeCloseTo(0.1);
    expect(axisPosition(layout, 1_050)).toBeCloseTo(0.5);
    expect(axisPosition(layout, 5_000)).toBe(1);
    expect(axisPosition(layout, 0)).toBe(0);
  });

  it('marks errors, browser spans, services in order of appearance, and the critical path', () => {
    const by = Object.fromEntries(layout.rows.map((r) => [r.span.spanID, r]));
    expect(by.c2.error).toBe(true);
    expect(by.c1.error).toBe(false);
    expect(by.root.browser).toBe(true);
    expect(by.c1.browser).toBe(false);
    expect(layout.services).toEqual(['web', 'api']);
    expect(layout.rows.filter((r) => r.critical).map((r) => r.span.spanID)).toEqual(['root', 'c2']);
  });

  it('shows a span whose parent is missing as a root, and spans in a parent cycle too', () => {
    const l = layoutTrace(trace([span('a', 'missing', 0, 10), span('x', 'y', 5, 1), span('y', 'x', 6, 1)]));
    expect(l.rows.map((r) => [r.span.spanID, r.depth])).toEqual([['a', 0], ['x', 0], ['y', 1]]);
  });

  it('keeps an empty trace, and a zero-length one, off a division by zero', () => {
    expect(layoutTrace(trace([])).rows).toEqual([]);
    const zero = layoutTrace(trace([span('a', undefined, 7, 0)]));
    expect(zero.duration).toBe(1);
    expect(zero.rows[0].left).toBe(0);
  });
});

describe('labelPlacement', () => {
  it('puts a duration after its bar when there is room, else before it, else inside it', () => {
    expect(labelPlacement(0.1, 0.3)).toBe('after');
    expect(labelPlacement(0.3, 0.7)).toBe('before');
    expect(labelPlacement(0, 1)).toBe('inside');
  });
});
