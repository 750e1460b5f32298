import { context, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import type { EndedSpan as ReadableSpan } from './sdk/span.js';
import { createTracerProvider } from './sdk/tracer.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quietDiag } from '../testing/fakes.js';
import { zoneFreeContext } from './context/promise-scope.js';
import { describeTarget, type Instrumentation, instrumentInteractions } from './interactions.js';

/** An element as describeTarget and the click listener read it. */
function el(tag: string, attrs: Record<string, string> = {}, parent?: object): Element {
  const me = {
    tagName: tag.toUpperCase(),
    id: attrs.id ?? '',
    getAttribute: (n: string) => attrs[n] ?? null,
    closest: () => (attrs.id || attrs.role || tag === 'button' ? me : parent ?? null),
  };
  return me as unknown as Element;
}

/** A window whose listeners the test calls, a microtask apart, as the browser does for a real click. */
function fakeWindow() {
  const listeners = new Map<string, (e: Event) => void>();
  const history = {
    pushState(_s: unknown, _t: string, url: string) {
      win.location.href = new URL(url, win.location.href).href;
    },
    replaceState(_s: unknown, _t: string, url: string) {
      win.location.href = new URL(url, win.location.href).href;
    },
  };
  const win = {
    location: { href: 'https://app.example/home', get pathname() { return new URL(this.href).pathname; } },
    history,
    addEventListener: (type: string, fn: (e: Event) => void) => listeners.set(type, fn),
    removeEventListener: (type: string) => listeners.delete(type),
    /** The SDK's capturing listener, then (after the microtask checkpoint) the app's handler. */
    async click(target: Element, handler: () => unknown): Promise<unknown> {
      listeners.get('click')?.({ target } as unknown as Event);
      await Promise.resolve();
      return handler();
    },
    pop(href: string) {
      win.location.href = href;
      listeners.get('popstate')?.({} as Event);
    },
    listeners,
  };
  return win;
}

let finished: ReadableSpan[];
let appTracer: Tracer;
let hooks: Instrumentation | undefined;
let win: ReturnType<typeof fakeWindow>;
beforeEach(() => {
  finished = [];
  appTracer = createTracerProvider(() => true, {
    onStart: (s) => hooks?.onStart(s),
    onEnd: (s) => (hooks?.onEnd(s), finished.push(s)),
  }).getTracer('t');
  context.setGlobalContextManager(zoneFreeContext(quietDiag()).enable());
  win = fakeWindow();
  hooks = instrumentInteractions(appTracer, win, quietDiag());
});
afterEach(() => {
  hooks?.stop();
  context.disable();
});

const tracer = () => appTracer;
const ended = (name: string): ReadableSpan | undefined => finished.find((s) => s.name === name);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A request span that ends after `ms`, as the fetch instrumentation makes one. */
const request = (name: string, ms: number) => {
  const span = tracer().startSpan(name);
  return wait(ms).then(() => span.end());
};

describe('describeTarget', () => {
  it('names the element by tag and id, test id, role or aria-label, never by its text', () => {
    expect(describeTarget(el('button', { id: 'save' }))).toBe('button#save');
    expect(describeTarget(el('a', { 'data-testid': 'home' }))).toBe('a[data-testid="home"]');
    expect(describeTarget(el('div', { role: 'tab' }))).toBe('div[role="tab"]');
    expect(describeTarget(el('button', { 'aria-label': 'Close' }))).toBe('button[aria-label="Close"]');
    expect(describeTarget(el('span'))).toBe('span');
  });
});

describe('click spans', () => {
  it("makes the handler's requests, synchronous and in its await chain, children of the click span, which ends after them", async () => {
    await win.click(el('span', {}, el('button', { id: 'checkout' })), async () => {
      await request('GET /api/cart', 5);
      await wait(1);
      await request('POST /api/order', 5);
    });
    expect(ended('click button#checkout')).toBeUndefined(); // ends IDLE_MS after its last request
    await wait(80);
    const clickSpan = ended('click button#checkout')!;
    expect(clickSpan.parentSpanContext).toBeUndefined();
    for (const n of ['GET /api/cart', 'POST /api/order']) expect(ended(n)?.parentSpanContext?.spanId).toBe(clickSpan.spanContext().spanId);
    // Released: later work is not the click's.
    const after = tracer().startSpan('later');
    expect(after.spanContext().traceId).not.toBe(clickSpan.spanContext().traceId);
  });

  it('a new click ends the previous one: its handler runs in its own click, not in none', async () => {
    let slow: Promise<void> | undefined;
    await win.click(el('button', { id: 'a' }), () => (slow = request('GET /slow', 50)));
    await win.click(el('button', { id: 'b' }), () => tracer().startSpan('fast').end());
    await slow;
    await wait(80);
    expect(ended('click button#a')).toBeDefined();
    expect(ended('fast')?.parentSpanContext?.spanId).toBe(ended('click button#b')?.spanContext().spanId);
    expect(ended('GET /slow')?.parentSpanContext?.spanId).toBe(ended('click button#a')?.spanContext().spanId);
  });

  it('a click with no request ends shortly after its dispatch', async () => {
    await win.click(el('div', { role: 'tab' }), () => undefined);
    await wait(80);
    expect(ended('click div[role="tab"]')).toBeDefined();
  });
});

describe('route changes', () => {
  it('records pushState, replaceState and popstate to another path as route spans named after the path template', async () => {
    win.history.pushState({}, '', '/items/42');
    win.history.replaceState({}, '', '/items/42?tab=2'); // the same path: no route change
    win.history.replaceState({}, '', '/items/43/edit');
    win.pop('https://app.example/home');
    const routes = finished.map((s) => [s.name, s.attributes]);
    expect(routes).toEqual([
      ['route /items/:id', { 'url.template': '/items/:id' }],
      ['route /items/:id/edit', { 'url.template': '/items/:id/edit' }],
      ['route /home', { 'url.template': '/home' }],
    ]);
  });

  it('a route change made by a click handler is the child of the click', async () => {
    await win.click(el('a', { id: 'nav' }), () => win.history.pushState({}, '', '/orders'));
    await wait(80);
    expect(ended('route /orders')?.parentSpanContext?.spanId).toBe(ended('click a#nav')?.spanContext().spanId);
  });

  it('stop puts history back and removes the listeners', () => {
    const push = win.history.pushState;
    hooks!.stop();
    hooks = undefined;
    expect(win.history.pushState).not.toBe(push);
    expect(win.listeners.size).toBe(0);
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
