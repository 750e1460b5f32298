/**
 * Web vitals (LCP, INP, CLS, FCP, TTFB) from Google's `web-vitals` library (its standard build, 3.5 KB
 * gzipped alone for the five, es2019: the attribution build is 6.1 KB, for element selectors and timings
 * this SDK does not send yet), as
 * `browser.web_vital` events per the OpenTelemetry browser conventions: `browser.web_vital.name` (lower
 * case), `.value`, `.delta`, `.rating`, `.id` (one per metric and page view) and `.navigation_type`.
 * Each is put in the trace of the page's `documentLoad` span when there is one: reports that come before
 * that span ended (FCP, usually) wait for it, or for the page to hide, whichever comes first.
 */
// From its unminified modules (the package's public per-metric entries), not its minified bundle: that one's
// own source map put every web-vitals name at a wrong column of the script-tag maps; +189 B gzipped.
import type { Metric } from 'web-vitals';
import { onCLS } from 'web-vitals/onCLS.js';
import { onFCP } from 'web-vitals/onFCP.js';
import { onINP } from 'web-vitals/onINP.js';
import { onLCP } from 'web-vitals/onLCP.js';
import { onTTFB } from 'web-vitals/onTTFB.js';
import type { Attributes } from '../../shared/model.js';
import { safe } from '../env.js';
import type { EmitEvent } from '../initialize.js';
import type { EventTargetLike } from '../page/lifecycle.js';

type Link = Parameters<EmitEvent>[2];
type Subscribe = (report: (metric: Metric) => void) => void;

export interface WebVitals {
  /** The page's documentLoad span ended (undefined: there will be none): waiting reports go out now. */
  navigation(link: Link): void;
  /** Reports after this are ignored (web-vitals has no way to remove its observers). */
  stop(): void;
}

export const VITALS: Subscribe[] = [onLCP, onINP, onCLS, onFCP, onTTFB];

export function vitalAttributes(m: Metric): Attributes {
  return {
    'browser.web_vital.name': m.name.toLowerCase(),
    'browser.web_vital.value': m.value,
    'browser.web_vital.delta': m.delta,
    'browser.web_vital.rating': m.rating,
    'browser.web_vital.id': m.id,
    'browser.web_vital.navigation_type': m.navigationType,
  };
}

/**
 * `win`: hiding the page releases waiting reports (capture phase: before the sender's beacon). The library's
 * observers are made in a later task (`defer`), off `init`'s: they are buffered, so nothing is missed, and its
 * first run cost ~19 ms of `init`'s 72 with a 4x CPU slowdown (a CPU profile of the loader's start).
 */
export function observeWebVitals(win: EventTargetLike, event: EmitEvent, subscribe = VITALS, defer = (fn: () => void): unknown => setTimeout(fn, 0)): WebVitals {
  let waiting: Attributes[] | undefined = [];
  let link: Link;
  let stopped = false;
  const release = (): void => {
    for (const a of waiting?.splice(0) ?? []) event('browser.web_vital', a, link);
    waiting = undefined;
  };
  const onHide = (): void => release();
  win.addEventListener('pagehide', onHide, true);
  win.addEventListener('visibilitychange', onHide, true);
  const report = (m: Metric): void => {
    if (stopped) return;
    const a = vitalAttributes(m);
    if (waiting) waiting.push(a);
    else event('browser.web_vital', a, link);
  };
  // In a page without PerformanceObserver or document (old browser, test), a vital throws: the others still run.
  defer(() => {
    if (!stopped) for (const on of subscribe) safe(() => on(report));
  });
  return {
    navigation(l) {
      link = l;
      release();
    },
    stop() {
      stopped = true;
      win.removeEventListener('pagehide', onHide, true);
      win.removeEventListener('visibilitychange', onHide, true);
    },
  };
}
