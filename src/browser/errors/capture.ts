/**
 * window `error` and `unhandledrejection` → ERROR records with exception.type/message/stacktrace, rate
 * limited per distinct error. Returns the function that removes both listeners.
 */
import type { Attributes } from '../../shared/model.js';
import type { EventTargetLike } from '../page/lifecycle.js';
import { exceptionAttributes, firstFrame } from '../../shared/exception.js';
import type { RateLimiter } from './rate-limit.js';

export type ErrorReport = (message: string, attributes: Attributes) => void;

export function captureErrors(win: EventTargetLike, report: ErrorReport, limiter: RateLimiter): () => void {
  const record = (thrown: unknown, fallback: string, extra: Attributes): void => {
    const attrs = exceptionAttributes(thrown, fallback);
    const key = `${attrs['exception.type']}|${attrs['exception.message']}|${firstFrame(attrs['exception.stacktrace'])}`;
    const suppressed = limiter.admit(key);
    if (suppressed === undefined) return;
    if (suppressed > 0) attrs['isotel.suppressed_count'] = suppressed;
    report(String(attrs['exception.message']), Object.assign(attrs, extra));
  };
  const onError = (e: Event): void => {
    const ev = e as ErrorEvent;
    const extra: Attributes = { 'isotel.error.source': 'window.error' };
    if (ev.filename) extra['code.file.path'] = ev.filename;
    if (ev.lineno) extra['code.line.number'] = ev.lineno;
    if (ev.colno) extra['code.column.number'] = ev.colno;
    record(ev.error != null ? ev.error : ev.message, ev.message || 'Script error', extra);
  };
  const onRejection = (e: Event): void => {
    record((e as PromiseRejectionEvent).reason, 'Unhandled promise rejection', { 'isotel.error.source': 'unhandledrejection' });
  };
  win.addEventListener('error', onError);
  win.addEventListener('unhandledrejection', onRejection);
  return () => {
    win.removeEventListener('error', onError);
    win.removeEventListener('unhandledrejection', onRejection);
  };
}
