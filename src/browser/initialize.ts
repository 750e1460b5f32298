/**
 * The wiring diagram of the browser SDK, top to bottom. Every build uses it; they differ only in the
 * `Features` they pass (the full and zone builds add the active span's trace context to log records and
 * set up tracing, zone-free or with zone.js; the lite build has no tracing). Nothing here throws into the
 * page: a failure during init gives a no-op telemetry and one console warning.
 */
import type { Diag } from '../shared/diag.js';
import { createRecordIdGenerator } from '../shared/ids.js';
import type { Attributes, InstrumentationScope, LogRecord } from '../shared/model.js';
import type { OtlpSpanRecord } from '../shared/otlp/types.js';
import type { Level } from '../shared/severity.js';
import { SDK_VERSION } from '../shared/version.js';
import type { captureConsole } from './console/capture.js';
import { createBrowserDiag } from './diag-sink.js';
import { type BrowserDeps, defaultWindow, resolveEnv, safe, type WindowLike } from './env.js';
import { captureErrors } from './errors/capture.js';
import { createRateLimiter } from './errors/rate-limit.js';
import { deferLogRecord, type LogContext } from './logs/build.js';
import { logFailed } from './logs/level-logger.js';
import { noopTelemetry } from './noop.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { watchLifecycle } from './page/lifecycle.js';
import { createPageInfo } from './page/page-info.js';
import type { Session, SessionContext } from './page/session.js';
import { createQueue } from './queue/queue.js';
import { createRescue } from './queue/rescue.js';
import { createCounters } from './status/counters.js';
import { createNotifier } from './status/notifier.js';
import { createKeepaliveBudget } from './transport/budget.js';
import { createSender } from './transport/sender.js';
import type { BrowserLogger, SpanApi, Telemetry, TelemetryHealth } from './types.js';

export interface LoggerFeature {
  logger: BrowserLogger;
  /** Events (the full build: sessions, web vitals). */
  event?: EmitEvent;
  shutdown(): Promise<void>;
}

/** What the features get: one object for the session, the logger and tracing (three cost the lite build bytes). */
export interface TracingContext extends LogContext {
  options: ResolvedOptions;
  win: WindowLike;
  session: Session;
  /** Records an event (a log record with `event_name`), in the trace of `link` when given. */
  event: EmitEvent;
  push: (span: OtlpSpanRecord) => void;
}

export type EmitEvent = (name: string, attributes: Attributes, link?: { traceId: string; spanId: string; traceFlags: number }) => void;

export interface Features {
  /** The session: shared by the origin's tabs with roll-over and events (full), or one per tab (lite). */
  session(ctx: SessionContext & TracingContext): Session;
  /** `emit` takes a log call's record builder (logs/build.ts deferLogRecord): records are built in a microtask. */
  createLogger(ctx: TracingContext, minLevel: Level, emit: (build: () => LogRecord) => void): LoggerFeature;
  setupTracing?(ctx: TracingContext): { spans: SpanApi; shutdown(): Promise<void> };
  /** Console capture (the full build; the lite build leaves it out to stay small). */
  captureConsole?: typeof captureConsole;
}

function resourceOf(o: ResolvedOptions): Attributes {
  const r: Attributes = { 'service.name': o.serviceName };
  if (o.serviceVersion) r['service.version'] = o.serviceVersion;
  if (o.environment) r['deployment.environment.name'] = o.environment;
  r['telemetry.sdk.name'] = 'isotel';
  r['telemetry.sdk.language'] = 'webjs';
  r['telemetry.sdk.version'] = SDK_VERSION;
  return r;
}

/** With the span API when the features trace and init succeeded. */
export function createTelemetry(input: unknown, features: Features, deps: BrowserDeps = {}): Telemetry & Partial<SpanApi> {
  const win = deps.win || defaultWindow();
  const diag = deps.diag || createBrowserDiag(safe(() => (win && win.console) || console));
  try {
    if (!win) {
      diag.warn('B01' /* no window (SSR?): telemetry off */);
      return noopTelemetry();
    }
    const parsed = resolveOptions(input, safe(() => win.location!.href));
    if (!parsed.ok) {
      diag.warn(`B02 ${parsed.error}` /* invalid options, telemetry disabled: <reason> */);
      return noopTelemetry('', parsed.error);
    }
    return wire(parsed.options, features, win, deps, diag);
  } catch (err) {
    diag.error('B03' /* init failed: telemetry off */, err);
    return noopTelemetry();
  }
}

// Over 60 lines on purpose: split into 60-line functions, the lite build grew 204 B gzip, over its 12 KB budget.
function wire(options: ResolvedOptions, features: Features, win: WindowLike, deps: BrowserDeps, diag: Diag): Telemetry & Partial<SpanApi> {
  // 1. Identity and the page.
  const env = resolveEnv(win, deps, diag);
  const resource = resourceOf(options);
  const scope: InstrumentationScope = { name: 'isotel', version: SDK_VERSION };
  const recordId = createRecordIdGenerator();
  const ctx = {
    win,
    now: env.now,
    options,
    diag,
    resource,
    scope,
    recordId,
    page: createPageInfo(safe(() => win.document), safe(() => win.navigator!.userAgent)),
    event: (name, attributes, link) => logs.event && logs.event(name, attributes, link),
    push: (span) => later(() => (closed ? undefined : queue.push('span', span))),
  } as TracingContext;
  const session = (ctx.session = features.session(ctx));

  // 2. Status: counters, and listeners called with snapshots.
  const counters = createCounters();
  const notifier = createNotifier(() => health(), env.timers, diag);
  if (options.onStatus) notifier.subscribe(options.onStatus);

  // 3. The write-ahead queue (IndexedDB, memory when that fails).
  const queue = createQueue({
    ...options, // maxQueueRecords, maxQueueBytes
    store: env.store,
    diag,
    newKey: () => recordId(),
    onDrop: (reason, n) => counters.drop(reason, n),
    prepare: () => start(),
    onChange: (added) => {
      rescue.written();
      notifier.changed();
      // A body's worth queued (a burst) goes at once: waiting batchDelayMs let a burst reach the queue's bound first.
      if (added) sender.schedule(queue.size() < 500 ? options.batchDelayMs : 0);
    },
  });

  // 3b. The page-close rescue (queue/rescue.ts): localStorage on page hide, replayed by `start`.
  const rescue = createRescue(win as { localStorage?: Storage }, queue, options.unloadAtMostOnce, diag);

  // 3c. Nothing in init touches localStorage/sessionStorage (Chromium's first synchronous access costs
  // 7-24 ms). Records made before `start` wait here; `start` runs in a task after init, or earlier when
  // the queue is first read, the page hides, or the app asks for the session: it replays the rescue, reads
  // the session (its session.start event, unless a span read it earlier, waits after the records made before
  // it: the queue's order is the records' time order), then builds, stamps and queues what waits, in order. After the start, what waits runs in a microtask (`run`: the log calls of a
  // task build their records there, off the caller's stack), or when the page hides, a flush or health() asks.
  let early = true;
  const waiting: Array<() => void> = [];
  const run = (): void => {
    if (!early) for (const fn of waiting.splice(0)) fn();
  };
  const later = (fn: () => void): void => void (waiting.push(fn) === 1 && !early && Promise.resolve().then(run));
  const start = (): void => {
    if (!early) return;
    early = false;
    rescue.replay();
    safe(() => session.id());
    run();
  };
  const startTimer = env.timers.setTimeout(start, 0);

  // 4. The sender: one tab per origin, fetch keepalive while the page lives, sendBeacon when it hides.
  const sender = createSender({
    ...options, // endpoint, ingestKey, unloadAtMostOnce
    ...env, // beacon, lock, now, timers, random
    queue,
    request: env.request || (() => Promise.reject(new Error('fetch is not available'))),
    budget: createKeepaliveBudget(),
    counters,
    notify: () => notifier.changed(),
    diag,
    loadTime: env.now(),
    reportDrops: (counts) => {
      let total = 0;
      for (const k of Object.keys(counts)) total += counts[k];
      const attrs = { 'isotel.dropped_count': total, 'isotel.dropped_reasons': counts };
      emit(deferLogRecord(ctx, 'warn', `isotel dropped ${total} records before sending`, attrs));
    },
  });

  // 5. Records: a log call reads what it must and leaves the rest to a builder (logs/build.ts), run later
  // (3c); then beforeSend, then the queue.
  let closed = false;
  const emit = (build: () => LogRecord): void => later(() => emitNow(build));
  const emitNow = (build: () => LogRecord): void => {
    let record: LogRecord;
    try {
      record = build();
    } catch (err) {
      return logFailed(diag, err);
    }
    session.stamp(record.attributes);
    if (closed) {
      diag.warn('B04' /* logger used after shutdown (ignored) */);
      return;
    }
    let out: LogRecord | null | undefined = record;
    if (options.beforeSend) {
      try {
        out = options.beforeSend(record);
      } catch (err) {
        // The hook may have been about to redact this record: dropping it is the safe choice.
        diag.warn('B05' /* beforeSend threw, record dropped */, err);
        counters.drop('before_send_threw', 1);
        return;
      }
      if (!out) {
        counters.drop('before_send', 1);
        return;
      }
    }
    queue.push('log', out);
  };
  const logs = features.createLogger(ctx, options.logLevel, emit);
  const tracing = features.setupTracing && features.setupTracing(ctx);

  // 6. Capture: errors (default on), console (opt-in).
  const removers: Array<() => void> = [session.stop, () => env.timers.clearTimeout(startTimer)];
  if (options.captureErrors) {
    const limiter = createRateLimiter(env.now);
    removers.push(captureErrors(win, (message, attrs) => logs.logger.error(message, attrs), limiter));
  }
  const con = safe(() => win.console);
  if (options.captureConsole && con) {
    if (!features.captureConsole) diag.warn('B06' /* captureConsole needs isotel/browser, not lite */);
    else removers.push(features.captureConsole(con as unknown as Record<string, unknown>, (level, message, attrs) => logs.logger[level](message, attrs)));
  }

  // 7. The page lifecycle drives the sender; replay what earlier pages left, now.
  removers.push(
    watchLifecycle(win, safe(() => win.document), {
      hidden: () => {
        start();
        run();
        sender.setVisible(false);
        rescue.save();
      },
      visible: () => sender.setVisible(true),
      online: () => sender.online(),
    }),
  );
  sender.schedule(0);
  function health(): TelemetryHealth {
    run();
    return {
      queued: queue.size(),
      inFlight: counters.inFlight,
      delivered: counters.delivered,
      beaconed: counters.beaconed,
      dropped: { total: counters.droppedTotal, reasons: Object.assign({}, counters.dropped) },
      lastError: counters.lastError,
      sender: env.lock.held(),
      storage: queue.storageKind(),
      sessionId: (start(), session.id()),
    };
  }
  const flush = async (): Promise<{ done: boolean; queued: number }> => {
    try {
      start();
      run();
      await queue.persist();
      const r = await sender.run();
      return { done: r.done, queued: queue.size() };
    } catch (err) {
      diag.warn('B07' /* flush failed */, err);
      return { done: false, queued: queue.size() };
    }
  };

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    shutdownPromise ||
    (shutdownPromise = (async () => {
      for (const remove of removers.splice(0)) {
        try {
          remove();
        } catch (err) {
          diag.warn('B08' /* shutdown: a listener failed */, err);
        }
      }
      // Tracing and logging first: what they still hold reaches the queue before the last flush.
      if (tracing) await tracing.shutdown().catch((err: unknown) => diag.warn('B09' /* shutdown: tracing failed */, err));
      await logs.shutdown().catch((err: unknown) => diag.warn('B10' /* shutdown: logs failed */, err));
      await flush();
      closed = true;
      await sender.stop();
      notifier.stop();
    })());

  return {
    logger: logs.logger,
    get sessionId() {
      start();
      return session.id();
    },
    flush: () => (closed ? Promise.resolve({ done: true, queued: queue.size() }) : flush()),
    shutdown,
    health,
    subscribe: (fn) => notifier.subscribe(fn),
    _metric: (m) => void (closed || queue.push('metric', { ...m, resource, scope })),
    ...tracing?.spans,
  };
}
