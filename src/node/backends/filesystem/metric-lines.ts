import type { MetricPoint } from '../../../shared/model.js';
import type { LineId } from './json-lines.js';

/**
 * Metric points as JSON lines, one data point per line, `point_id` first so the replay guard reads a line's id
 * from its start without parsing it. Points are far fewer than log records (one per series per export interval),
 * so plain JSON.stringify is fast enough here.
 */
export function metricLine(p: MetricPoint): string {
  const { point_id, ...rest } = p;
  const body = JSON.stringify(rest);
  return `{"point_id":${JSON.stringify(point_id)}${body.length > 2 ? ',' : ''}${body.slice(1)}\n`;
}

const PREFIX = Buffer.from('{"point_id":"');

/** A metric line's `point_id` (ids are safe ASCII: hex and Crockford base32), or undefined for another shape. */
export const metricLineId: LineId = (buf, start, end) => {
  if (end - start < PREFIX.length + 2 || buf.compare(PREFIX, 0, PREFIX.length, start, start + PREFIX.length) !== 0) return undefined;
  const from = start + PREFIX.length;
  const q = buf.indexOf(0x22, from);
  return q < 0 || q >= end ? undefined : buf.toString('latin1', from, q);
};

/** `./logs/app.jsonl` → `./logs/app.metrics.jsonl`; other names get `.metrics.jsonl` appended. */
export function defaultMetricsFile(logFile: string): string {
  return logFile.endsWith('.jsonl') ? `${logFile.slice(0, -'.jsonl'.length)}.metrics.jsonl` : `${logFile}.metrics.jsonl`;
}
