/** How the viewer writes durations and times (microseconds in, text out). */

export function formatDuration(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${trim(us / 1000)} ms`;
  if (us < 60_000_000) return `${trim(us / 1_000_000)} s`;
  return `${trim(us / 60_000_000)} min`;
}

function trim(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** An instant in UTC, to the millisecond: `2025-01-31 12:00:00.123`. */
export function formatTime(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  return Number.isNaN(d.getTime()) ? String(us) : d.toISOString().replace('T', ' ').replace('Z', '');
}

/** An ISO timestamp of the logs API as µs since the epoch (millisecond precision is enough on screen). */
export function isoToMicros(iso: string): number {
  const ms = Date.parse(iso);
  const frac = /\.(\d+)Z?$/i.exec(iso)?.[1] ?? '';
  const extraUs = frac.length > 3 ? Number(frac.slice(3, 6).padEnd(3, '0')) : 0;
  return Number.isNaN(ms) ? 0 : ms * 1000 + extraUs;
}

/** The search form's time range presets: label and look-back in microseconds. */
export const LOOKBACKS: readonly (readonly [string, string, number])[] = [
  ['15m', 'Last 15 minutes', 15 * 60e6],
  ['1h', 'Last hour', 3600e6],
  ['6h', 'Last 6 hours', 6 * 3600e6],
  ['24h', 'Last 24 hours', 24 * 3600e6],
  ['2d', 'Last 2 days', 48 * 3600e6],
  ['7d', 'Last 7 days', 7 * 24 * 3600e6],
];

/** start/end (µs) of a preset or a custom range (datetime-local values, read as UTC). */
export function timeRange(lookback: string, from: string, to: string, nowUs: number): { start?: number; end?: number } {
  if (lookback === 'custom') {
    const start = from ? Date.parse(`${from}Z`) * 1000 : undefined;
    const end = to ? Date.parse(`${to}Z`) * 1000 : undefined;
    return { start: Number.isNaN(start) ? undefined : start, end: Number.isNaN(end) ? undefined : end };
  }
  const preset = LOOKBACKS.find(([id]) => id === lookback) ?? LOOKBACKS[1];
  return { start: nowUs - preset[2], end: nowUs };
}
