/**
 * Long animation frames and the page's resource timing, as events (log records) of the full build.
 *
 * - `browser.long_animation_frame`: each frame the browser reports as longer than 50 ms (PerformanceObserver
 *   type `long-animation-frame`, Chromium 123+; elsewhere nothing happens), at most `LOAF_MAX` per page view
 *   (the first ones: a page that janks all the time would otherwise send one record per frame). Its
 *   attributes: the frame's `duration`, `blocking_duration`, `start_time` (ms since navigation),
 *   `render_duration`, `style_and_layout_duration`, and the attribution of its longest script (`script.*`:
 *   invoker, invoker type, source URL, function name, character position, duration, forced style and layout)
 *   with `scripts` (how many scripts ran in the frame). OpenTelemetry has no convention for these yet; the
 *   names follow `browser.web_vital.*`'s.
 * - `browser.resource_summary`: once per page view, when the page first hides (capture phase: before the
 *   sender's beacon takes the queue), a summary of `performance.getEntriesByType('resource')`: how many, the
 *   bytes transferred and decoded, how many came from the cache, per initiator type (`script`, `css`, `img`,
 *   `fetch`, ...) the count, and the slowest resource with its duration. The SDK's own sends are left out.
 */
import type { Attributes } from '../../shared/model.js';
import { safe } from '../env.js';
import type { EmitEvent } from '../initialize.js';
import type { EventTargetLike } from '../page/lifecycle.js';

/** Frames reported per page view at most. */
export const LOAF_MAX = 10;

interface ScriptTiming {
  duration: number;
  invoker?: string;
  invokerType?: string;
  sourceURL?: string;
  sourceFunctionName?: string;
  sourceCharPosition?: number;
  forcedStyleAndLayoutDuration?: number;
}
interface FrameTiming {
  startTime: number;
  duration: number;
  blockingDuration?: number;
  renderStart?: number;
  styleAndLayoutStart?: number;
  scripts?: readonly ScriptTiming[];
}
interface ResourceTiming {
  name: string;
  initiatorType: string;
  duration: number;
  transferSize?: number;
  decodedBodySize?: number;
}
type Observer = new (cb: (list: { getEntries(): unknown[] }) => void) => { observe(o: { type: string; buffered: boolean }): void; disconnect(): void };
interface PerfWindow extends EventTargetLike {
  PerformanceObserver?: Observer;
  performance?: { getEntriesByType?(type: string): unknown[] };
}

const P = 'browser.long_animation_frame.';
const round = (ms: number): number => Math.round(ms * 10) / 10;

export function frameAttributes(f: FrameTiming): Attributes {
  const a: Attributes = { [`${P}duration`]: round(f.duration), [`${P}start_time`]: round(f.startTime), [`${P}blocking_duration`]: round(f.blockingDuration || 0) };
  const end = f.startTime + f.duration;
  if (f.renderStart) a[`${P}render_duration`] = round(end - f.renderStart);
  if (f.styleAndLayoutStart) a[`${P}style_and_layout_duration`] = round(end - f.styleAndLayoutStart);
  const scripts = f.scripts || [];
  a[`${P}scripts`] = scripts.length;
  let s: ScriptTiming | undefined;
  for (const x of scripts) if (!s || x.duration > s.duration) s = x;
  if (s) {
    const script: Record<string, string | number | undefined> = {
      invoker: s.invoker,
      invoker_type: s.invokerType,
      source_url: s.sourceURL,
      source_function_name: s.sourceFunctionName,
      source_char_position: s.sourceCharPosition,
      duration: round(s.duration),
      forced_style_and_layout_duration: round(s.forcedStyleAndLayoutDuration || 0),
    };
    for (const k in script) {
      const v = script[k];
      if (v !== undefined && v !== '' && v !== -1) a[`${P}script.${k}`] = v;
    }
  }
  return a;
}

export function resourceSummary(entries: readonly ResourceTiming[]): Attributes {
  const a: Attributes = { 'browser.resources.count': entries.length };
  let transfer = 0;
  let decoded = 0;
  let cached = 0;
  let slowest: ResourceTiming | undefined;
  for (const e of entries) {
    transfer += e.transferSize || 0;
    decoded += e.decodedBodySize || 0;
    if (!e.transferSize && e.decodedBodySize) cached++;
    const k = `browser.resources.${e.initiatorType || 'other'}.count`;
    a[k] = ((a[k] as number) || 0) + 1;
    if (!slowest || e.duration > slowest.duration) slowest = e;
  }
  a['browser.resources.transfer_size'] = transfer;
  a['browser.resources.decoded_body_size'] = decoded;
  a['browser.resources.cached'] = cached;
  if (slowest) {
    a['browser.resources.slowest.url'] = slowest.name;
    a['browser.resources.slowest.duration'] = round(slowest.duration);
  }
  return a;
}

/** Starts both; returns stop. `own(url)`: the SDK's own sends, left out of the summary. */
export function observePageTimings(win: PerfWindow, event: EmitEvent, own: (url: string) => boolean): () => void {
  let frames = 0;
  const observer = safe(() => {
    const o = new win.PerformanceObserver!((list) => {
      for (const f of list.getEntries() as FrameTiming[]) if (frames++ < LOAF_MAX) event('browser.long_animation_frame', frameAttributes(f));
      if (frames >= LOAF_MAX) o.disconnect();
    });
    o.observe({ type: 'long-animation-frame', buffered: true });
    return o;
  });
  // pagehide comes before the page turns hidden when it navigates away, and the unload beacon goes then.
  const onHide = (e: Event): void => {
    if (e.type !== 'pagehide' && (win as { document?: { visibilityState?: string } }).document?.visibilityState === 'visible') return;
    win.removeEventListener('pagehide', onHide, true);
    win.removeEventListener('visibilitychange', onHide, true);
    const entries = (safe(() => win.performance!.getEntriesByType!('resource')) || []) as ResourceTiming[];
    event('browser.resource_summary', resourceSummary(entries.filter((e) => !own(e.name))));
  };
  win.addEventListener('pagehide', onHide, true);
  win.addEventListener('visibilitychange', onHide, true);
  return () => {
    observer?.disconnect();
    win.removeEventListener('pagehide', onHide, true);
    win.removeEventListener('visibilitychange', onHide, true);
  };
}
