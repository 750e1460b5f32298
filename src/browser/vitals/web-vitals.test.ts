import type { Metric } from 'web-vitals';
import { describe, expect, it } from 'vitest';
import { observeWebVitals } from './web-vitals.js';

const metric = (name: Metric['name'], value: number): Metric =>
  ({ name, value, delta: value, rating: 'good', id: `v5-${name}`, navigationType: 'navigate', entries: [] }) as unknown as Metric;

function setup() {
  const win = new EventTarget();
  const reporters: Array<(m: Metric) => void> = [];
  const events: Array<{ name: string; attributes: Record<string, unknown>; link?: { traceId: string } }> = [];
  const vitals = observeWebVitals(win, (name, attributes, link) => events.push({ name, attributes, link }), [
    (r) => reporters.push(r),
    () => {
      throw new Error('no PerformanceObserver');
    },
  ], (fn) => fn()); // the observers at once (init defers them to a task)
  return { win, report: (m: Metric) => reporters[0](m), events, vitals };
}

const link = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 };

describe('web vitals', () => {
  it('makes the library\'s observers in a later task, not during init, and not at all once stopped', () => {
    const tasks: Array<() => void> = [];
    const subscribed: string[] = [];
    const vitals = observeWebVitals(new EventTarget(), () => undefined, [() => subscribed.push('lcp')], (fn) => tasks.push(fn));
    expect(subscribed).toEqual([]);
    tasks[0]();
    expect(subscribed).toEqual(['lcp']);
    const stopped = observeWebVitals(new EventTarget(), () => undefined, [() => subscribed.push('again')], (fn) => tasks.push(fn));
    stopped.stop();
    tasks[1]();
    expect(subscribed).toEqual(['lcp']);
    vitals.stop();
  });

  it('records browser.web_vital events per the OTel browser conventions, in the documentLoad trace', () => {
    const { report, events, vitals } = setup();
    report(metric('FCP', 812.5)); // before the page load span ended: waits for it
    expect(events).toEqual([]);
    vitals.navigation(link);
    report(metric('CLS', 0.02));
    expect(events).toEqual([
      {
        name: 'browser.web_vital',
        attributes: {
          'browser.web_vital.name': 'fcp',
          'browser.web_vital.value': 812.5,
          'browser.web_vital.delta': 812.5,
          'browser.web_vital.rating': 'good',
          'browser.web_vital.id': 'v5-FCP',
          'browser.web_vital.navigation_type': 'navigate',
        },
        link,
      },
      expect.objectContaining({ attributes: expect.objectContaining({ 'browser.web_vital.name': 'cls', 'browser.web_vital.value': 0.02 }), link }),
    ]);
  });

  it('lets waiting reports out when the page hides before its load span ended, and ignores reports after stop', () => {
    const { win, report, events, vitals } = setup();
    report(metric('TTFB', 40));
    win.dispatchEvent(new Event('visibilitychange'));
    expect(events.map((e) => [e.attributes['browser.web_vital.name'], e.link])).toEqual([['ttfb', undefined]]);
    vitals.stop();
    report(metric('INP', 64));
    expect(events).toHaveLength(1);
  });
});
