/**
 * The loader's logic before the SDK arrives, on a fake window (e2e/loader.test.ts runs the shipped file in
 * Chromium: the fetch after `load`, the replay with the calls' times, the SDK's error capture).
 */
import { describe, expect, it, vi } from 'vitest';
import { installLoader, MAX_WAITING } from './loader.js';
import type { BrowserTelemetry } from './types.js';

function fakeWindow(readyState = 'loading') {
  const listeners: Array<[string, unknown]> = [];
  const appended: Array<{ src: string }> = [];
  const timers: Array<() => void> = [];
  const win = {
    document: {
      readyState,
      baseURI: 'https://shop.example/app/',
      querySelector: () => ({ src: 'https://cdn.example/isotel/isotel-loader.global.js' }),
      createElement: () => ({ src: '' }),
      head: { appendChild: (s: { src: string }) => appended.push(s) },
    },
    performance: { timeOrigin: 1_750_000_000_000, now: () => 5 },
    addEventListener: (t: string, fn: unknown) => listeners.push([t, fn]),
    removeEventListener: (t: string, fn: unknown) => {
      const i = listeners.findIndex(([a, b]) => a === t && b === fn);
      if (i >= 0) listeners.splice(i, 1);
    },
    setTimeout: (fn: () => void) => timers.push(fn),
    console: { warn: vi.fn() },
    Isotel: undefined as undefined | { init(o: unknown): BrowserTelemetry },
  };
  installLoader(win as never);
  return { win, listeners, appended, timers };
}

describe('the script-tag loader before the SDK starts', () => {
  it('listens for errors at once and fetches nothing until the page has loaded', () => {
    const { win, listeners, appended, timers } = fakeWindow();
    expect(listeners.map(([t]) => t).sort()).toEqual(['error', 'unhandledrejection']);
    win.Isotel!.init({ endpoint: 'https://ingest.example', serviceName: 's' });
    expect(appended).toEqual([]);
    const load = listeners.find(([t]) => t === 'load')![1] as () => void;
    load();
    expect(appended).toEqual([]); // a task after the load event
    timers.shift()!();
    expect(appended.map((s) => s.src)).toEqual(['https://cdn.example/isotel/isotel.global.js']);
  });

  it('resolves sdkUrl against the loader file, keeps the calls (bounded) and counts the rest', () => {
    const { win, appended, timers } = fakeWindow('complete');
    const t = win.Isotel!.init({ endpoint: 'https://ingest.example', serviceName: 's', sdkUrl: 'isotel-lite.global.js' });
    timers.shift()!();
    expect(appended[0].src).toBe('https://cdn.example/isotel/isotel-lite.global.js');
    for (let i = 0; i < MAX_WAITING + 3; i++) t.logger.info('x', { i });
    expect(t.health()).toMatchObject({ queued: MAX_WAITING, storage: 'none', sessionId: '', dropped: { total: 3, reasons: { loader_full: 3 } } });
    expect(win.Isotel!.init({})).toBe(t);
  });

  it('invalid options: one warning, health says why, the page never sees an exception', async () => {
    const { win } = fakeWindow();
    const t = win.Isotel!.init(null);
    expect(win.console.warn).toHaveBeenCalledWith('[isotel] loader: options must be an object; telemetry is off');
    expect(() => t.logger.error('e', { a: 1 })).not.toThrow();
    expect(t.health()).toMatchObject({ lastError: 'options must be an object', queued: 0 });
    await expect(t.flush()).resolves.toEqual({ done: false, queued: 0 });
    await expect(t.shutdown()).resolves.toBeUndefined();
  });

  it('spans before the start record nothing, and withSpan still runs the function', () => {
    const { win } = fakeWindow();
    const t = win.Isotel!.init({ endpoint: 'https://ingest.example', serviceName: 's' });
    const span = t.startSpan('early');
    expect(span.isRecording()).toBe(false);
    expect(span.setAttribute('a', 1)).toBe(span);
    expect(span.spanContext().traceId).toBe('0'.repeat(32));
    expect(t.withSpan(span, () => 7)).toBe(7);
    expect(t.getActiveSpan()).toBeUndefined();
  });
});
