import { serviceColors } from './colors.js';
import { criticalPath } from './critical-path.js';
import { isBrowser, isError, parentOf } from './span-info.js';
import type { Span, Trace } from './types.js';

/**
 * The waterfall's rows: spans depth-first from each root (children by start time), each with its depth and
 * its bar on the trace's time axis as fractions of the whole (left, width in 0..1). A span whose parent is not
 * in the trace is shown as a root. The critical path runs from the first root.
 */
export interface Row {
  span: Span;
  depth: number;
  service: string;
  browser: boolean;
  error: boolean;
  critical: boolean;
  left: number;
  width: number;
}

export interface Layout {
  rows: Row[];
  /** Microseconds since the epoch. */
  start: number;
  /** Microseconds; at least 1, so positions never divide by zero. */
  duration: number;
  services: string[];
  /** Each service's colour (colors.ts): the bars and the legend both read it. */
  colors: Map<string, string>;
}

const byStart = (a: Span, b: Span): number => a.startTime - b.startTime || (a.spanID < b.spanID ? -1 : a.spanID > b.spanID ? 1 : 0);

export function layoutTrace(trace: Trace): Layout {
  const spans = [...trace.spans].sort(byStart);
  const ids = new Set(spans.map((s) => s.spanID));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of spans) {
    const parent = parentOf(s);
    if (parent === undefined || !ids.has(parent) || parent === s.spanID) roots.push(s);
    else children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const start = spans.length > 0 ? spans[0].startTime : 0;
  const end = spans.reduce((m, s) => Math.max(m, s.startTime + s.duration), start);
  const duration = Math.max(1, end - start);
  const path = new Set(roots.length > 0 ? criticalPath(spans.map((s) => ({ spanID: s.spanID, parentID: parentOf(s), startTime: s.startTime, duration: s.duration })), roots[0].spanID) : []);
  const rows: Row[] = [];
  const visit = (s: Span, depth: number, seen: Set<string>) => {
    if (seen.has(s.spanID)) return;
    seen.add(s.spanID);
    const process = trace.processes[s.processID];
    rows.push({
      span: s,
      depth,
      service: process?.serviceName ?? s.processID,
      browser: isBrowser(process),
      error: isError(s),
      critical: path.has(s.spanID),
      left: (s.startTime - start) / duration,
      width: Math.max(0, s.duration) / duration,
    });
    for (const c of children.get(s.spanID) ?? []) visit(c, depth + 1, seen);
  };
  const seen = new Set<string>();
  for (const r of roots) visit(r, 0, seen);
  // Spans whose parents form a cycle (no root above them): shown, as roots, rather than lost.
  for (const s of spans) visit(s, 0, seen);
  const services = [...new Set(rows.map((r) => r.service))];
  return { rows, start, duration, services, colors: serviceColors(services) };
}

/** Where a time (µs since the epoch) falls on the axis, clamped to 0..1. */
export function axisPosition(layout: Pick<Layout, 'start' | 'duration'>, timeUs: number): number {
  return Math.min(1, Math.max(0, (timeUs - layout.start) / layout.duration));
}

/**
 * Where a bar's duration label goes so that it never sits on the bar in grey: after the bar when there is
 * room, else before it, else inside it in white (every service colour passes 4.5:1 against white).
 */
export function labelPlacement(left: number, width: number): 'after' | 'before' | 'inside' {
  if (left + width <= 0.85) return 'after';
  if (left >= 0.15) return 'before';
  return 'inside';
}
