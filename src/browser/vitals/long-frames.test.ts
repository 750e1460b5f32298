import { describe, expect, it } from 'vitest';
import { frameAttributes, LOAF_MAX, observePageTimings, resourceSummary } from './long-frames.js';

const frame = (i: number) => ({
  startTime: 1000 + i,
  duration: 120,
  blockingDuration: 70,
  renderStart: 1100 + i,
  styleAndLayoutStart: 1110 + i,
  scripts: [
    { duration: 20, invoker: 'TIMER', invokerType: 'user-callback', sourceURL: 'https://a/x.js', sourceFunctionName: 'tick', sourceCharPosition: 5 },
    { duration: 90, invoker: 'BUTTON#go.onclick', invokerType: 'event-listener', sourceURL: 'https://a/app.js', sourceFunctionName: '', sourceCharPosition: -1, forcedStyleAndLayoutDuration: 4.25 },
  ],
});

function fakeWindow(resources: unknown[] = []) {
  const listeners = new Map<string, (e: Event) => void>();
  let deliver: (entries: unknown[]) => void = () => {};
  let disconnected = false;
  const win = {
    document: { visibilityState: 'visible' },
    performance: { getEntriesByType: (t: string) => (t === 'resource' ? resources : []) },
    PerformanceObserver: class {
      constructor(cb: (l: { getEntries(): unknown[] }) => void) {
        deliver = (entries) => cb({ getEntries: () => entries });
      }
      observe(o: { type: string }) {
        expect(o.type).toBe('long-animation-frame');
      }
      disconnect() {
        disconnected = true;
      }
    },
    addEventListener: (t: string, fn: (e: Event) => void) => listeners.set(t, fn),
    removeEventListener: (t: string) => listeners.delete(t),
  };
  return { win, deliver: (e: unknown[]) => deliver(e), hide: () => ((win.document.visibilityState = 'hidden'), listeners.get('visibilitychange')?.(new Event('visibilitychange'))), listeners, isDisconnected: () => disconnected };
}

describe('long animation frames and the resource summary', () => {
  it('describes a frame by its longest script, without empty attribution fields', () => {
    expect(frameAttributes(frame(0))).toEqual({
      'browser.long_animation_frame.duration': 120,
      'browser.long_animation_frame.start_time': 1000,
      'browser.long_animation_frame.blocking_duration': 70,
      'browser.long_animation_frame.render_duration': 20,
      'browser.long_animation_frame.style_and_layout_duration': 10,
      'browser.long_animation_frame.scripts': 2,
      'browser.long_animation_frame.script.invoker': 'BUTTON#go.onclick',
      'browser.long_animation_frame.script.invoker_type': 'event-listener',
      'browser.long_animation_frame.script.source_url': 'https://a/app.js',
      'browser.long_animation_frame.script.duration': 90,
      'browser.long_animation_frame.script.forced_style_and_layout_duration': 4.3,
    });
  });

  it(`emits at most ${LOAF_MAX} frames per page view, then stops observing`, () => {
    const events: string[] = [];
    const w = fakeWindow();
    observePageTimings(w.win, (name) => events.push(name), () => false);
    w.deliver(Array.from({ length: 7 }, (_, i) => frame(i)));
    w.deliver(Array.from({ length: 7 }, (_, i) => frame(i)));
    expect(events).toEqual(Array(LOAF_MAX).fill('browser.long_animation_frame'));
    expect(w.isDisconnected()).toBe(true);
  });

  it('summarizes the resources once, when the page first hides, without the SDK own sends', () => {
    const events: Array<[string, Record<string, unknown>]> = [];
    const w = fakeWindow([
      { name: 'https://a/app.js', initiatorType: 'script', duration: 80, transferSize: 3000, decodedBodySize: 9000 },
      { name: 'https://a/logo.png', initiatorType: 'img', duration: 200.04, transferSize: 0, decodedBodySize: 500 },
      { name: 'https://a/api/items', initiatorType: 'fetch', duration: 30, transferSize: 300, decodedBodySize: 100 },
      { name: 'https://ingest/v1/logs', initiatorType: 'fetch', duration: 999, transferSize: 10, decodedBodySize: 2 },
    ]);
    observePageTimings(w.win, (name, a) => events.push([name, a]), (url) => url.startsWith('https://ingest/'));
    w.hide();
    w.hide();
    expect(events).toEqual([
      [
        'browser.resource_summary',
        {
          'browser.resources.count': 3,
          'browser.resources.script.count': 1,
          'browser.resources.img.count': 1,
          'browser.resources.fetch.count': 1,
          'browser.resources.transfer_size': 3300,
          'browser.resources.decoded_body_size': 9600,
          'browser.resources.cached': 1,
          'browser.resources.slowest.url': 'https://a/logo.png',
          'browser.resources.slowest.duration': 200,
        },
      ],
    ]);
  });

  it('summarizes on a pagehide that comes while the page is still visible (navigating away: the unload beacon goes then)', () => {
    const events: string[] = [];
    const w = fakeWindow();
    observePageTimings(w.win, (name) => events.push(name), () => false);
    w.listeners.get('visibilitychange')?.(new Event('visibilitychange')); // still visible: nothing yet
    w.listeners.get('pagehide')?.(new Event('pagehide'));
    expect(events).toEqual(['browser.resource_summary']);
  });

  it('does nothing where PerformanceObserver is missing, and still summarizes', () => {
    const events: string[] = [];
    const w = fakeWindow();
    const stop = observePageTimings({ ...w.win, PerformanceObserver: undefined }, (name) => events.push(name), () => false);
    w.hide();
    expect(events).toEqual(['browser.resource_summary']);
    expect(resourceSummary([])).toMatchObject({ 'browser.resources.count': 0 });
    stop();
  });
});
