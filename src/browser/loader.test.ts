/**
 * The loader's logic before the SDK arrives, on a fake window (e2e/loader.test.ts runs the shipped file in
 * Chromium: the fetch after `load`, the replay with the calls' times, the SDK's error capture).
 */
import { describe, expect, it, vi } from 'vitest';
import { installLoader, MAX_WAITING, MAX_WAITING_ERRORS } from './loader.js';
import type { BrowserTelemetry } from './types.js';

function fakeWindow(readyState = 'loading') {
  const listeners: Array<[string, unknown]> = [];
  const appended: Array<{ src: string; onload?: () => void }> = [];
  let clock = 5;
  const timers: Array<() => void> = [];
  const win = {
    document: {
      readyState,
      baseURI: 'https://shop.example/app/',
      querySelector: (q: string) => (q.includes('nonce') ? null : { src: 'https://cdn.example/isotel/isotel-loader.global.js' }),
      createElement: () => ({ src: '' }),
      head: { appendChild: (s: { src: string }) => appended.push(s) },
    },
    performance: { timeOrigin: 1_750_000_000_000, now: () => clock },
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
  return { win, listeners, appended, timers, tick: (ms: number) => void (clock += ms) };
}

/** A stand-in SDK: records what reaches its logger (with its clock's time) and its error listener. */
function fakeSdk(win: ReturnType<typeof fakeWindow>['win']) {
  const got: Array<[string, unknown, unknown, number]> = [];
  const shutdown = vi.fn(() => Promise.resolve());
  const init = (_o: unknown, deps: { now: () => number }) => {
    const logger = Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((l) => [l, (m: unknown, a: unknown) => got.push([l, m, a, deps.now()])]));
    win.addEventListener('error', ((e: { message: string }) => got.push(['event', e.message, undefined, deps.now()])) as never);
    const health = () => ({ queued: 0, inFlight: 0, delivered: 0, beaconed: 0, dropped: { total: 1, reasons: { queue_full: 1 } }, sender: true, storage: 'indexeddb', sessionId: 's' });
    return { logger, health, shutdown, flush: vi.fn(), subscribe: vi.fn(() => () => undefined), sessionId: 's' };
  };
  return { got, shutdown, init };
}

/** The page loaded, the SDK script ran (setting window.Isotel), the loader's start task ran. */
function startSdk(f: ReturnType<typeof fakeWindow>, sdk: ReturnType<typeof fakeSdk>) {
  const load = f.listeners.find(([t]) => t === 'load');
  if (load) (load[1] as () => void)();
  f.timers.shift()!();
  f.win.Isotel = { init: sdk.init as never };
  f.appended[0].onload!();
  f.timers.shift()!();
}

describe('the script-tag loader when the SDK starts', () => {
  it('replays calls and errors in order with their times, then calls (kept references too) go to the SDK', () => {
    const f = fakeWindow();
    const sdk = fakeSdk(f.win);
    const t = f.win.Isotel!.init({ endpoint: 'https://ingest.example', serviceName: 's' });
    const info = t.logger.info;
    t.logger.info('one', { a: 1 });
    f.tick(10);
    (f.listeners.find(([type]) => type === 'error')![1] as (e: unknown) => void)({ type: 'error', message: 'boom' });
    f.tick(10);
    startSdk(f, sdk);
    info('kept reference');
    const t0 = 1_750_000_000_000;
    expect(sdk.got).toEqual([
      ['info', 'one', { a: 1 }, t0 + 5],
      ['event', 'boom', undefined, t0 + 15],
      ['info', 'kept reference', undefined, t0 + 25],
    ]);
    // The loader's own error listeners are gone; window.addEventListener is the window's again.
    expect(f.listeners.filter(([type]) => type === 'error' || type === 'unhandledrejection')).toHaveLength(1);
    expect(Object.getOwnPropertyDescriptor(f.win, 'addEventListener')!.value.name).toBe('addEventListener');
  });

  it('keeps at most 100 errors, merges its drops into the SDK\'s health, and never throws on a hostile attribute', () => {
    const f = fakeWindow();
    const sdk = fakeSdk(f.win);
    const t = f.win.Isotel!.init({ endpoint: 'https://ingest.example', serviceName: 's' });
    const onError = f.listeners.find(([type]) => type === 'error')![1] as (e: unknown) => void;
    for (let i = 0; i < MAX_WAITING_ERRORS + 50; i++) onError({ type: 'error', message: `e${i}` });
    const hostile = new Proxy({}, { getPrototypeOf: () => { throw new Error('trap'); } });
    expect(() => t.logger.info('hostile', hostile)).not.toThrow();
    t.logger.info('after');
    startSdk(f, sdk);
    expect(sdk.got.filter(([k]) => k === 'event')).toHaveLength(MAX_WAITING_ERRORS);
    expect(sdk.got.filter(([k]) => k === 'info').map(([, m]) => m)).toEqual(['after']);
    expect(sdk.got.find(([k]) => k === 'warn')).toEqual(['warn', 'isotel loader dropped 51 calls made before the SDK started', { 'isotel.dropped_count': 51 }, expect.any(Number)]);
    expect(t.health().dropped).toEqual({ total: 52, reasons: { queue_full: 1, loader_full: 51 } });
  });

  it('honours logLevel and captureErrors: false for what waits', () => {
    const f = fakeWindow();
    const sdk = fakeSdk(f.win);
    const onError = f.listeners.find(([type]) => type === 'error')![1] as (e: unknown) => void;
    onError({ type: 'error', message: 'before init' });
    const t = f.win.Isotel!.init({ endpoint: 'https://ingest.example', serviceName: 's', logLevel: 'warn', captureErrors: false });
    expect(f.listeners.map(([type]) => type)).toEqual(['load']);
    t.logger.info('below');
    t.logger.error('kept');
    startSdk(f, sdk);
    expect(sdk.got.map(([k, m]) => [k, m])).toEqual([['error', 'kept']]);
  });

  it('shutdown before the start: nothing more waits, what waited is delivered, then the SDK shuts down', async () => {
    const f = fakeWindow();
    const sdk = fakeSdk(f.win);
    const t = f.win.Isotel!.init({ endpoint: 'https://ingest.example', serviceName: 's' });
    t.logger.info('before shutdown');
    await expect(t.flush()).resolves.toEqual({ done: false, queued: 1 });
    await t.shutdown();
    t.logger.info('after shutdown');
    expect(f.listeners.map(([type]) => type)).toEqual(['load']);
    startSdk(f, sdk);
    expect(sdk.got.map(([, m]) => m)).toEqual(['before shutdown']);
    expect(sdk.shutdown).toHaveBeenCalledTimes(1);
  });
});

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
    expect(win.console.warn).toHaveBeenCalledTimes(1);
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
