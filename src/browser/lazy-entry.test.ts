/**
 * The lazy module entries' `init` (lazy-entry.ts) on a fake page; e2e/lazy-entry.test.ts runs the built entries,
 * bundled with code splitting, in Chromium.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lazyEntry } from './lazy-entry.js';
import { getActiveSpan, init, startSpan, withSpan } from './lazy.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function fakePage() {
  const listeners: Array<[string, () => void]> = [];
  const timers: Array<() => void> = [];
  const win = {
    document: { readyState: 'loading' },
    performance: { timeOrigin: 1_750_000_000_000, now: () => 7 },
    addEventListener: (t: string, fn: () => void) => listeners.push([t, fn]),
    removeEventListener: () => undefined,
    setTimeout: (fn: () => void) => timers.push(fn),
    console: { warn: vi.fn() },
  };
  vi.stubGlobal('window', win);
  vi.stubGlobal('document', win.document);
  const runTimers = () => {
    while (timers.length) timers.shift()!();
  };
  return { win, listeners, runTimers };
}

describe('lazyEntry', () => {
  it('imports the SDK only after the load event, then starts it with what waited, at the times it happened', async () => {
    const page = fakePage();
    const got: Array<[string, unknown, number]> = [];
    const sdkInit = vi.fn((_o: unknown, deps: { now: () => number }) => ({
      logger: { info: (m: unknown) => got.push(['info', m, deps.now()]) },
      health: () => ({ dropped: { total: 0, reasons: {} } }),
    }));
    const importSdk = vi.fn(() => Promise.resolve({ init: sdkInit as never }));
    const init = lazyEntry(importSdk, 'isotel/browser/lazy');
    const t = init({ endpoint: 'https://ingest.example/v1', serviceName: 'shop' });
    expect(init({ endpoint: 'x', serviceName: 'y' })).toBe(t); // one telemetry per page
    t.logger.info('before load');
    page.runTimers();
    expect(importSdk).not.toHaveBeenCalled();
    page.listeners.find(([type]) => type === 'load')![1]();
    page.runTimers();
    expect(importSdk).toHaveBeenCalledTimes(1);
    await Promise.resolve();
    await Promise.resolve();
    page.runTimers();
    expect(sdkInit).toHaveBeenCalledWith({ endpoint: 'https://ingest.example/v1', serviceName: 'shop' }, expect.anything());
    expect(got).toEqual([['info', 'before load', 1_750_000_000_007]]);
  });

  it('an SDK chunk that fails to load: one console warning, health says why, nothing throws', async () => {
    const page = fakePage();
    page.win.document.readyState = 'complete';
    const init = lazyEntry(() => Promise.reject(new Error('chunk 404')), 'isotel/browser/lazy');
    const t = init({ endpoint: 'https://ingest.example/v1', serviceName: 'shop' });
    page.runTimers();
    await new Promise((r) => setTimeout(r, 0));
    expect(t.health().lastError).toMatch(/could not load the SDK: Error: chunk 404/);
    expect(page.win.console.warn).toHaveBeenCalledTimes(1);
    expect(() => t.logger.info('after the failure')).not.toThrow();
  });

  it('without a page (a worker, server-side code): a telemetry that does nothing, and why', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const importSdk = vi.fn();
    const t = lazyEntry(importSdk, 'isotel/browser/lazy')({ endpoint: 'https://ingest.example/v1', serviceName: 'shop' });
    expect(importSdk).not.toHaveBeenCalled();
    expect(t.health().lastError).toMatch(/needs a page/);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(() => t.logger.info('nothing')).not.toThrow();
  });

  it("isotel/browser/lazy's named span API: spans that record nothing before init and without a page, never a throw", () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const before = startSpan('before init');
    expect(before.isRecording()).toBe(false);
    expect(withSpan(before, (s) => (s.setAttribute('a', 1).end(), 42))).toBe(42);
    expect(getActiveSpan()).toBeUndefined();
    const t = init({ endpoint: 'https://ingest.example/v1', serviceName: 'shop' });
    const span = startSpan('after init');
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe('0'.repeat(32));
    expect(withSpan(span, () => 'ran')).toBe('ran');
    expect(t.startSpan('method').isRecording()).toBe(false);
    expect(getActiveSpan()).toBeUndefined();
  });
});
