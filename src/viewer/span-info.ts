import type { KeyValue, Process, Span } from './types.js';

/** Facts about one span that the waterfall and the details panel show, read from its tags and process. */

export function tagValue(tags: readonly KeyValue[], key: string): KeyValue['value'] | undefined {
  return tags.find((t) => t.key === key)?.value;
}

/** The parent: the first CHILD_OF reference (the converter writes the parent's reference first). */
export function parentOf(span: Span): string | undefined {
  return span.references.find((r) => r.refType === 'CHILD_OF' && r.traceID === span.traceID)?.spanID;
}

/** An error: `error=true`, or OTel's `otel.status_code=ERROR`. */
export function isError(span: Span): boolean {
  return tagValue(span.tags, 'error') === true || tagValue(span.tags, 'otel.status_code') === 'ERROR';
}

/**
 * A span recorded in a browser: the process says so (`telemetry.sdk.language` = webjs, as the OTel web SDK
 * and isotel/browser set it, or a `browser.*` resource attribute).
 */
export function isBrowser(process: Process | undefined): boolean {
  if (!process) return false;
  return process.tags.some((t) => (t.key === 'telemetry.sdk.language' && t.value === 'webjs') || t.key.startsWith('browser.'));
}

/** The text of a tag's value, as shown (never HTML: the components render it as text). */
export function valueText(v: KeyValue['value']): string {
  return typeof v === 'string' ? v : String(v);
}
