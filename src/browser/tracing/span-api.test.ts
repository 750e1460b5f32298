import { context, type Tracer } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quietDiag } from '../testing/fakes.js';
import { recordingProvider } from '../testing/spans.js';
import type { EndedSpan as ReadableSpan } from './sdk/span.js';
import { zoneFreeContext } from './context/promise-scope.js';
import { createSpanApi, noopSpanApi } from './span-api.js';
import { getActiveSpan, startSpan, withSpan } from './span-exports.js';

let finished: ReadableSpan[];
let tracer: Tracer;
let api: ReturnType<typeof createSpanApi>;
beforeEach(() => {
  finished = [];
  tracer = recordingProvider(finished);
  context.setGlobalContextManager(zoneFreeContext(quietDiag()).enable());
  api = createSpanApi(() => tracer, quietDiag());
});
afterEach(() => context.disable());

const byName = (name: string): ReadableSpan => finished.find((s) => s.name === name)!;

describe('browser span API (zone-free)', () => {
  it('makes spans started in withSpan, before and after an await, children of its span', async () => {
    const parent = api.startSpan('checkout');
    const result = await api.withSpan(parent, async (span) => {
      expect(span).toBe(parent);
      expect(api.getActiveSpan()).toBe(parent);
      api.startSpan('sync child').end();
      await new Promise((r) => setTimeout(r, 1));
      expect(api.getActiveSpan()).toBe(parent);
      api.startSpan('async child').end();
      return 'done';
    });
    parent.end();
    expect(result).toBe('done');
    expect(api.getActiveSpan()).toBeUndefined();
    const id = parent.spanContext().spanId;
    expect(byName('sync child').parentSpanContext?.spanId).toBe(id);
    expect(byName('async child').parentSpanContext?.spanId).toBe(id);
    expect(byName('checkout').parentSpanContext).toBeUndefined();
  });

  it("passes the app's errors through, and gives a non-recording span when the tracer fails", () => {
    expect(() => api.withSpan(api.startSpan('x'), () => {
      throw new Error('app');
    })).toThrow('app');
    const broken = createSpanApi(() => ({ startSpan: () => { throw new Error('sdk'); } }) as unknown as Tracer, quietDiag());
    const span = broken.startSpan('y');
    expect(span.isRecording()).toBe(false);
    expect(broken.withSpan(span, () => 7)).toBe(7);
  });

  it('the named exports use the global tracer provider (none here: non-recording spans) and the same context', async () => {
    const span = startSpan('no provider');
    expect(span.isRecording()).toBe(false);
    const parent = api.startSpan('parent');
    await withSpan(parent, async () => {
      await new Promise((r) => setTimeout(r, 1));
      expect(getActiveSpan()).toBe(parent);
    });
  });

  it('the no-op API (no tracing) still runs the function', () => {
    const span = noopSpanApi.startSpan('z');
    expect(span.isRecording()).toBe(false);
    expect(noopSpanApi.withSpan(span, (s) => s)).toBe(span);
    expect(noopSpanApi.getActiveSpan()).toBeUndefined();
  });
});
