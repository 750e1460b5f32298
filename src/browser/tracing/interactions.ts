/**
 * Clicks and SPA route changes as spans (`isotel/browser` only: the zone build keeps its own context, lite
 * has no tracing).
 *
 * - A click (one capturing listener on window) starts a root span `click button#save`, named after a stable
 *   description of its target (describeTarget: never its text, which may be personal data), and makes it
 *   the zone-free manager's *scope* (withSpan's mark, context/keep-key.ts): the page's click handlers, and
 *   the await chains they start, run in it, so their fetch/XHR spans are its children. It ends, and its
 *   scope is released, once the dispatch is over and the requests started in it have ended (IDLE_MS later,
 *   so a chain `await fetch(); await res.json(); await fetch()` stays inside), at the next click, or after
 *   MAX_MS. A click dispatched by a script (`el.click()` inside another script's run) is recorded, but its
 *   handlers run in that script's context, not the click's.
 * - A route change (`history.pushState`/`replaceState` to another path, `popstate`) is a span
 *   `route /items/:id`, named after the path template the fetch span names use (http/span-name.ts), the
 *   child of the click that made it, if any. The path itself is not recorded: it may identify a person.
 */
import { context, ROOT_CONTEXT, type Span, trace, type Tracer } from '@opentelemetry/api';
import type { EndedSpan as ReadableSpan } from './sdk/span.js';
import type { WindowLike } from '../env.js';
import { KEEP_THROUGH_PROMISE } from './context/keep-key.js';
import { pathTemplate } from './http/span-name.js';
import { type Method, patchMethod } from './http/patch.js';
import type { Diag } from '../../shared/diag.js';

/** How long a click's scope outlives its last request (the app's code after `await fetch` runs meanwhile). */
const IDLE_MS = 50;
/** A click's span ends after this at most (a request that never ends must not keep the scope). */
const MAX_MS = 10_000;
/** The closest of these to the clicked node describes the click. */
const TARGETS = '[id],[data-testid],[role],[aria-label],a,button';

/** Hooks the span processor calls for every span (children of a click keep it open). */
export interface Instrumentation {
  onStart(span: ReadableSpan): void;
  onEnd(span: ReadableSpan): void;
  stop(): void;
}

/** `button#save`, `a[data-testid="home"]`, `div[role="tab"]`, `button[aria-label="Close"]`, or the tag alone. */
export function describeTarget(el: Element): string {
  const tag = el.tagName.toLowerCase();
  if (el.id) return `${tag}#${el.id}`;
  for (const a of ['data-testid', 'role', 'aria-label']) {
    const v = el.getAttribute(a);
    if (v) return `${tag}[${a}="${v}"]`;
  }
  return tag;
}

type Guard = <A>(fn: (a: A) => void) => (a: A) => void;

/** Listeners on the page: whatever fails in them is the SDK's, never the page's. */
const guarded =
  (diag: Diag): Guard =>
  (fn) =>
  (a) => {
    try {
      fn(a);
    } catch (err) {
      diag.warn('B30' /* interaction */, err);
    }
  };

/** Route spans from history.pushState/replaceState (patched) and popstate; returns the undo. */
function watchRoutes(tracer: Tracer, win: WindowLike & { history?: object }, diag: Diag, guard: Guard): () => void {
  const location = win.location as Location | undefined;
  let lastPath = location?.pathname;
  const route = guard(() => {
    const path = location!.pathname;
    if (path === lastPath) return;
    lastPath = path;
    const template = pathTemplate(path);
    tracer.startSpan(`route ${template}`, { attributes: { 'url.template': template } }).end();
  });
  const undo = ['pushState', 'replaceState'].map((name) =>
    patchMethod(
      win.history,
      name,
      (original): Method =>
        function (this: unknown, ...args: unknown[]) {
          const result = original.apply(this, args);
          route(undefined);
          return result;
        },
      diag,
    ),
  );
  win.addEventListener('popstate', route);
  return () => {
    for (const u of undo) u();
    win.removeEventListener('popstate', route);
  };
}

interface Click {
  id: string;
  /** Its child spans still running. */
  n: number;
  done(): void;
}

export function instrumentInteractions(tracer: Tracer, win: WindowLike & { history?: object }, diag: Diag): Instrumentation {
  let click: Click | undefined;
  const later = (fn: () => void, ms: number): void => void setTimeout(fn, ms);
  const idle = (c: Click): void => later(() => c.n || c.done(), IDLE_MS);
  const isChild = (s: ReadableSpan): boolean => !!click && s.parentSpanContext?.spanId === click.id;
  const guard = guarded(diag);

  const onClick = guard((e: Event) => {
    click?.done();
    const node = e.target as Element;
    const span: Span = tracer.startSpan(`click ${describeTarget(node.closest?.(TARGETS) ?? node)}`, {}, ROOT_CONTEXT);
    let release: (() => void) | undefined;
    const c: Click = {
      id: span.spanContext().spanId,
      n: 0,
      done() {
        if (click === c) click = undefined;
        if (!release) return;
        release();
        release = undefined;
        span.end();
      },
    };
    click = c;
    context.with(trace.setSpan(ROOT_CONTEXT, span).setValue(KEEP_THROUGH_PROMISE, true), () => new Promise<void>((r) => (release = r)));
    idle(c);
    later(c.done, MAX_MS);
  });

  const stopRoutes = watchRoutes(tracer, win, diag, guard);
  win.addEventListener('click', onClick, true);

  return {
    onStart(span) {
      if (isChild(span)) click!.n++;
    },
    onEnd(span) {
      if (isChild(span) && --click!.n === 0) idle(click!);
    },
    stop() {
      click?.done();
      stopRoutes();
      win.removeEventListener('click', onClick, true);
    },
  };
}
