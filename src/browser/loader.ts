/**
 * The script-tag loader (`isotel-loader.global.js`, about 1 KB gzipped): keeps the SDK's evaluation and `init`
 * off the page-load path. `Isotel.init(options)` returns at once a telemetry that records the calls made to
 * it (with their times) and the page's errors; after the page's load event the SDK file (`sdkUrl`, by default
 * `isotel.global.js` beside the loader's own file) is fetched, evaluated in a task of its own, and started in a later
 * task, which replays the recorded calls and errors with the times they happened. Then every call goes
 * straight to the SDK.
 *
 * What waits differs from the SDK loaded directly (README, "The loader"): records made before the SDK starts
 * carry the page's address when it starts, `sessionId` is '' and `health()` counts only what is waiting, and a
 * span started before then is a no-op span (nothing is recorded for it). At most `MAX_WAITING` calls and errors
 * wait; past that they are counted and reported in one warning record when the SDK starts.
 */
import type { Span } from '@opentelemetry/api';
import type { BrowserDeps } from './env.js';
import type { BrowserLogger, BrowserOptions, BrowserTelemetry, Level, TelemetryHealth } from './types.js';

type RealInit = (options: BrowserOptions, deps?: BrowserDeps) => BrowserTelemetry;
export interface LoaderOptions extends BrowserOptions {
  /** The SDK's script-tag file: `isotel.global.js` (default, beside the loader's file) or `isotel-lite.global.js`. */
  sdkUrl?: string;
}

export const MAX_WAITING = 1000;
const CAPTURED = ['error', 'unhandledrejection'];

/** What happened before the SDK started: [epoch ms, level or event type, message or event, attributes]. */
type Waiting = [number, string, unknown, unknown?];

interface LoaderWindow {
  document: Document;
  performance: Performance;
  Isotel?: { init: RealInit };
  addEventListener: EventTarget['addEventListener'];
  removeEventListener: EventTarget['removeEventListener'];
  setTimeout(fn: () => void, ms: number): unknown;
  console: Console;
}

/** A copy of plain-object attributes (the app may change its object after the call); anything else as given. */
const snapshot = (a: unknown): unknown =>
  a !== null && typeof a === 'object' && Object.getPrototypeOf(a) === Object.prototype ? Object.assign({}, a) : a;

/**
 * Installs the loader on `win`: its error listeners at once, `win.Isotel.init` for the page. One closure on
 * purpose (scripts/check-size.mjs): every byte here is parsed during the page load.
 */
export function installLoader(win: LoaderWindow): void {
  const perf = win.performance;
  const now = (): number => perf.timeOrigin + perf.now();
  const waiting: Waiting[] = [];
  let dropped = 0;
  let real: BrowserTelemetry | undefined;
  let failed: string | undefined;
  let proxy: BrowserTelemetry | undefined;
  /** Run once the SDK has started or the loader gave up (then undefined: run at once). */
  let pending: Array<() => void> | undefined = [];
  const whenStarted = <T>(fn: () => T): Promise<T> => new Promise((r) => (pending ? pending.push(() => r(fn())) : r(fn())));
  const settle = (): void => {
    const p = pending || [];
    pending = undefined;
    for (const fn of p) fn();
  };
  const wait = (w: Waiting): void => void (failed || (waiting.length < MAX_WAITING ? waiting.push(w) : dropped++));
  const onEvent = (e: Event): void => wait([now(), e.type, e]);
  const listen = (on: boolean): void => CAPTURED.forEach((t) => (on ? win.addEventListener(t, onEvent) : win.removeEventListener(t, onEvent)));
  listen(true);

  const fail = (why: string): void => {
    failed = why;
    listen(false);
    waiting.length = 0;
    win.console.warn(`[isotel] loader: ${why}; telemetry is off`);
    settle();
  };

  /** Starts the SDK on the loader's clock, so each replayed call and error gets the time it happened. */
  const start = (init: RealInit, options: BrowserOptions): void => {
    let at: number | undefined;
    // The SDK's error listeners, taken as it adds them: the waiting errors go to them, and to no other listener.
    const handlers: Record<string, EventListener> = {};
    const own = Object.prototype.hasOwnProperty.call(win, 'addEventListener');
    const add = win.addEventListener;
    win.addEventListener = function (this: unknown, type: string, fn: EventListenerOrEventListenerObject | null, o?: boolean | AddEventListenerOptions) {
      if (typeof fn === 'function') handlers[type] = fn;
      return add.call(this, type, fn, o);
    } as EventTarget['addEventListener'];
    let r: BrowserTelemetry;
    try {
      r = real = init(options, { now: () => (at === undefined ? now() : at) });
    } finally {
      if (own) win.addEventListener = add;
      else delete (win as Partial<LoaderWindow>).addEventListener;
    }
    listen(false);
    for (const [time, kind, a, b] of waiting) {
      at = time;
      try {
        if (CAPTURED.indexOf(kind) < 0) r.logger[kind as Level](a, b as Record<string, unknown>);
        else if (handlers[kind]) handlers[kind](a as Event);
      } catch {
        // The SDK never throws into the page; a handler that does loses that one record, not the others.
      }
    }
    at = undefined;
    waiting.length = 0;
    if (dropped > 0) r.logger.warn(`isotel loader dropped ${dropped} calls made before the SDK started`, { 'isotel.dropped_count': dropped });
    Object.assign(proxy!.logger, r.logger);
    settle();
  };

  /** Adds the SDK's script; when it has run, starts it in a task of its own (evaluation and start: two tasks, not one long one). */
  const inject = (sdkUrl: string | undefined, options: BrowserOptions): void => {
    const doc = win.document;
    // Found now, not when the loader runs: document.currentScript then cost 5-9 ms with a 4x CPU slowdown.
    const file = doc.querySelector<HTMLScriptElement>('script[src*="isotel-loader"]');
    const s = doc.createElement('script');
    try {
      if (!sdkUrl && !file) throw 0;
      s.src = new URL(sdkUrl || 'isotel.global.js', file ? file.src : doc.baseURI).href;
    } catch {
      return fail(sdkUrl ? `sdkUrl is not a valid URL: ${sdkUrl}` : 'sdkUrl is required unless the loader is a file named isotel-loader*');
    }
    // A page whose Content-Security-Policy allows scripts by nonce: the SDK's script gets the page's nonce.
    const nonced = doc.querySelector<HTMLScriptElement>('script[nonce]');
    if (nonced) s.nonce = nonced.nonce;
    s.async = true;
    s.onerror = () => fail(`could not load ${s.src}`);
    s.onload = () => {
      const sdk = win.Isotel;
      win.Isotel = api; // one telemetry per page: a later Isotel.init() returns the same one
      if (!sdk || sdk === api) return fail(`${s.src} is not an isotel script-tag build`);
      win.setTimeout(() => {
        try {
          start(sdk.init, options);
        } catch (err) {
          fail(`the SDK failed to start: ${err}`);
        }
      }, 0);
    };
    (doc.head || doc.documentElement).appendChild(s);
  };

  // What `init` returns: calls wait until the SDK starts, then go to it.
  const create = (): BrowserTelemetry => {
    const logger = {} as BrowserLogger;
    for (const l of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as Level[]) logger[l] = (message, attributes) => wait([now(), l, message, snapshot(attributes)]);
    let span: Span | undefined;
    return {
      logger,
      get sessionId() {
        return real ? real.sessionId : '';
      },
      flush: () => whenStarted(() => (real ? real.flush() : { done: false, queued: 0 })),
      shutdown: () => whenStarted(() => real && real.shutdown()),
      health: (): TelemetryHealth =>
        real
          ? real.health()
          : { queued: waiting.length, inFlight: 0, delivered: 0, beaconed: 0, dropped: { total: dropped, reasons: dropped ? { loader_full: dropped } : {} }, lastError: failed, sender: false, storage: 'none', sessionId: '' },
      subscribe(fn) {
        let off: (() => void) | undefined;
        let on = true;
        void whenStarted(() => on && real && (off = real.subscribe(fn)));
        return () => {
          on = false;
          if (off) off();
        };
      },
      // Before the SDK starts: a span that records nothing (`withSpan` just calls fn).
      startSpan(name, o) {
        if (real && real.startSpan) return real.startSpan(name, o);
        if (!span) {
          const s: Record<string, unknown> = { isRecording: () => false, spanContext: () => ({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }) };
          for (const m of 'setAttribute setAttributes addEvent addLink addLinks setStatus updateName recordException end'.split(' ')) s[m] = () => s;
          span = s as unknown as Span;
        }
        return span;
      },
      withSpan: (s, fn) => (real && real.withSpan ? real.withSpan(s, fn) : fn(s)),
      getActiveSpan: () => (real && real.getActiveSpan ? real.getActiveSpan() : undefined),
    } as BrowserTelemetry;
  };

  const api = {
    init(options: LoaderOptions): BrowserTelemetry {
      if (proxy) return proxy;
      const p = (proxy = create());
      try {
        if (options === null || typeof options !== 'object') throw 'options must be an object';
        const { sdkUrl, ...rest } = options;
        const later = (): void => void win.setTimeout(() => inject(sdkUrl, rest), 0);
        // After the page's load event: the SDK is fetched, evaluated and started when the page is done loading.
        if (win.document.readyState === 'complete') later();
        else win.addEventListener('load', later, { once: true });
      } catch (err) {
        fail(String(err));
      }
      return p;
    },
  };
  win.Isotel = api as unknown as { init: RealInit };
}
