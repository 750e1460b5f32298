/**
 * The script-tag loader (`isotel-loader.global.js`, 1.8 KB gzipped: `npm run size`): keeps the SDK's evaluation and `init`
 * off the page-load path. `Isotel.init(options)` returns at once a telemetry that records the calls made to
 * it (with their times) and the page's errors; after the page's load event the SDK file (`sdkUrl`, by default
 * `isotel.global.js` beside the loader's own file) is fetched, evaluated in a task of its own, and started in a later
 * task, which replays the recorded calls and errors with the times they happened. Then every call goes
 * straight to the SDK. The lazy module entries (lazy-entry.ts) are the same `createLoader` with a dynamic import
 * in place of the script tag.
 *
 * What waits differs from the SDK loaded directly (README, "The loader"): records made before the SDK starts
 * carry the page's address when it starts, `sessionId` is '' and `health()` counts only what is waiting, and a
 * span started before then is a no-op span (nothing is recorded for it). At most `MAX_WAITING` calls and errors
 * (`MAX_WAITING_ERRORS` errors) wait; past that they are counted (`health().dropped.reasons.loader_full`) and
 * reported in one warning record when the SDK starts. `flush()` and `shutdown()` never wait for the SDK.
 */
import type { Span } from '@opentelemetry/api';
import type { BrowserDeps } from './env.js';
import type { BrowserLogger, BrowserOptions, BrowserTelemetry, Level, TelemetryHealth } from './types.js';

export type RealInit = (options: BrowserOptions, deps?: BrowserDeps) => BrowserTelemetry;
export interface LoaderOptions extends BrowserOptions {
  /** The SDK's script-tag file: `isotel.global.js` (default, beside the loader's file) or `isotel-lite.global.js`. */
  sdkUrl?: string;
}

export const MAX_WAITING = 1000;
export const MAX_WAITING_ERRORS = 100;
// shared/severity's LEVELS, written again: importing it brings its module's tables, +215 B min / +88 B gzip here.
const LEVELS: Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const CAPTURED = ['error', 'unhandledrejection'];

/** What happened before the SDK started: [epoch ms, level or 'on' + event type, message or event, attributes]. */
type Waiting = [number, string, unknown, unknown?];

export interface LoaderWindow {
  document: Document;
  performance: Performance;
  Isotel?: { init: RealInit };
  addEventListener: EventTarget['addEventListener'];
  removeEventListener: EventTarget['removeEventListener'];
  setTimeout(fn: () => void, ms: number): unknown;
  console: Console;
}

/** A shallow copy of plain-object attributes (the app may change its object after the call); anything else as given. */
const snapshot = (a: unknown): unknown =>
  a !== null && typeof a === 'object' && Object.getPrototypeOf(a) === Object.prototype ? Object.assign({}, a) : a;

let span: Span | undefined;
/**
 * A span that records nothing: before the SDK starts, and where there is no page. By hand: the API's
 * trace.wrapSpanContext(INVALID_SPAN_CONTEXT), as span-api.ts does, makes the loader 14.6 KB min / 4.9 KB gzip (from 3.5 / 1.8).
 */
export const noopSpan = (): Span => {
  if (!span) {
    const s: Record<string, unknown> = { isRecording: () => false, spanContext: () => ({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }) };
    for (const m of 'setAttribute setAttributes addEvent addLink addLinks setStatus updateName recordException end'.split(' ')) s[m] = () => s;
    span = s as unknown as Span;
  }
  return span;
};

/**
 * Gets the SDK's `init`: `ready(init)` once it has it (the script-tag loader: the SDK's script has run; the lazy
 * module entries: their dynamic import resolved), `fail(why)` when it cannot. Called after the page's load event.
 */
export type LoadSdk = (sdkUrl: string | undefined, ready: (init: RealInit) => void, fail: (why: string) => void) => void;

export interface LoaderApi {
  init(options: LoaderOptions): BrowserTelemetry;
}

/**
 * The loader: its error listeners at once, an `init` for the page whose telemetry keeps what happens until `load`
 * has brought the SDK. One closure on purpose (scripts/check-size.mjs): every byte here is parsed during the page load.
 */
export function createLoader(win: LoaderWindow, load: LoadSdk): LoaderApi {
  const perf = win.performance;
  const now = (): number => perf.timeOrigin + perf.now();
  const waiting: Waiting[] = [];
  let errors = 0;
  let dropped = 0;
  let minLevel = 0;
  let real: BrowserTelemetry | undefined;
  /** Why the loader gave up, or that the app shut the telemetry down before the SDK started: nothing more waits. */
  let failed: string | undefined;
  let closed = false;
  let proxy: BrowserTelemetry | undefined;
  /** Run once the SDK has started or the loader gave up (then undefined: run at once). */
  let pending: Array<() => void> | undefined = [];
  const settle = (): void => {
    const p = pending || [];
    pending = undefined;
    for (const fn of p) fn();
  };
  const wait = (w: () => Waiting, error?: boolean): void => {
    if (failed || closed) return;
    try {
      if (waiting.length < MAX_WAITING && (!error || errors++ < MAX_WAITING_ERRORS)) waiting.push(w());
      else dropped++;
    } catch {
      dropped++; // an attribute getter or Proxy trap that throws: that call is lost, never the page's problem
    }
  };
  const onEvent = (e: Event): void => wait(() => [now(), 'on' + e.type, e], true);
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
    // Where window.addEventListener cannot be shadowed (a frozen window), the SDK starts without the waiting errors.
    const handlers: Record<string, EventListener[]> = {};
    const key = 'addEventListener';
    const own = Object.getOwnPropertyDescriptor(win, key);
    const add = win.addEventListener;
    const shadow = (d?: PropertyDescriptor): unknown => {
      try {
        return d ? Object.defineProperty(win, key, d) : delete (win as Partial<LoaderWindow>).addEventListener;
      } catch {
        return undefined;
      }
    };
    shadow({
      configurable: true,
      writable: true,
      value(this: unknown, type: string, fn: EventListenerOrEventListenerObject | null, o?: boolean | AddEventListenerOptions) {
        if (typeof fn === 'function') (handlers[type] = handlers[type] || []).push(fn);
        return add.call(this, type, fn, o);
      },
    });
    let r: BrowserTelemetry;
    try {
      r = real = init(options, { now: () => (at === undefined ? now() : at) });
    } finally {
      shadow(own);
    }
    listen(false);
    for (const [time, kind, a, b] of waiting) {
      at = time;
      try {
        if (kind.indexOf('on')) r.logger[kind as Level](a, b as Record<string, unknown>);
        else for (const h of handlers[kind.slice(2)] || []) h(a as Event);
      } catch {
        // The SDK never throws into the page; a handler that does loses that one record, not the others.
      }
    }
    at = undefined;
    waiting.length = 0;
    if (dropped > 0) r.logger.warn(`isotel loader dropped ${dropped} calls made before the SDK started`, { 'isotel.dropped_count': dropped });
    Object.assign(proxy!.logger, r.logger);
    settle();
    if (closed) void r.shutdown();
  };

  // What `init` returns: calls wait until the SDK starts, then go to it (also through methods the app kept).
  const create = (): BrowserTelemetry => {
    const logger = {} as BrowserLogger;
    LEVELS.forEach((l, i) => {
      logger[l] = (message, attributes) => (real ? real.logger[l](message, attributes) : i >= minLevel && wait(() => [now(), l, message, snapshot(attributes)]));
    });
    return {
      logger,
      get sessionId() {
        return real ? real.sessionId : '';
      },
      // Before the SDK starts nothing can be sent, and neither waits for it.
      flush: () => (real ? real.flush() : Promise.resolve({ done: false, queued: waiting.length })),
      shutdown() {
        if (real) return real.shutdown();
        closed = true; // what waits is still delivered when the SDK starts, which then shuts down
        listen(false);
        return Promise.resolve();
      },
      health(): TelemetryHealth {
        const h = real
          ? real.health()
          : { queued: waiting.length, inFlight: 0, delivered: 0, beaconed: 0, dropped: { total: 0, reasons: {} as Record<string, number> }, lastError: failed, sender: false, storage: 'none' as const, sessionId: '' };
        if (dropped) {
          h.dropped.total += dropped;
          h.dropped.reasons.loader_full = dropped;
        }
        return h;
      },
      subscribe(fn) {
        let off: (() => void) | undefined;
        let on = true;
        const sub = (): unknown => on && real && (off = real.subscribe(fn));
        if (pending) pending.push(sub);
        else sub();
        return () => {
          on = false;
          if (off) off();
        };
      },
      // Before the SDK starts: a span that records nothing (`withSpan` just calls fn).
      startSpan: (name, o) => (real && real.startSpan ? real.startSpan(name, o) : noopSpan()),
      withSpan: (s, fn) => (real && real.withSpan ? real.withSpan(s, fn) : fn(s)),
      getActiveSpan: () => (real && real.getActiveSpan ? real.getActiveSpan() : undefined),
    } as BrowserTelemetry;
  };

  return {
    init(options: LoaderOptions): BrowserTelemetry {
      if (proxy) return proxy;
      const p = (proxy = create());
      try {
        if (options === null || typeof options !== 'object') throw 'options must be an object';
        const { sdkUrl, ...rest } = options;
        // As the SDK will: calls below logLevel are not kept (an unknown level keeps all: the SDK reports it), nor
        // errors with captureErrors: false.
        minLevel = rest.logLevel === undefined ? 2 : Math.max(0, LEVELS.indexOf(rest.logLevel));
        if (rest.captureErrors === false) {
          listen(false);
          for (let i = waiting.length; i--; ) if (!waiting[i][1].indexOf('on')) waiting.splice(i, 1);
        }
        // Evaluation and start: two tasks, not one long one.
        const ready = (init: RealInit): unknown =>
          win.setTimeout(() => {
            try {
              start(init, rest);
            } catch (err) {
              fail(`the SDK failed to start: ${err}`);
            }
          }, 0);
        const later = (): void => void win.setTimeout(() => load(sdkUrl, ready, fail), 0);
        // After the page's load event: the SDK is fetched, evaluated and started when the page is done loading.
        if (win.document.readyState === 'complete') later();
        else win.addEventListener('load', later, { once: true });
      } catch (err) {
        fail(String(err));
      }
      return p;
    },
  };
}

/** Installs the script-tag loader on `win`: `win.Isotel.init` for the page, the SDK's script added after `load`. */
export function installLoader(win: LoaderWindow): void {
  /** Adds the SDK's script; when it has run, hands its `init` over. */
  const inject: LoadSdk = (sdkUrl, ready, fail) => {
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
      win.Isotel = api as unknown as { init: RealInit }; // one telemetry per page: a later Isotel.init() returns the same one
      if (!sdk || (sdk as unknown) === api) return fail(`${s.src} is not an isotel script-tag build`);
      ready(sdk.init);
    };
    (doc.head || doc.documentElement).appendChild(s);
  };
  const api = createLoader(win, inject);
  win.Isotel = api as unknown as { init: RealInit };
}
