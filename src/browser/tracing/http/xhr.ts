/**
 * XMLHttpRequest instrumentation: `open` notes the method and URL, `send` starts the CLIENT span, sets the
 * W3C headers (where allowed) and sends in the span's context; the span ends on load (with the status),
 * error or timeout (as errors) or abort. Opening the object again ends a span still running.
 */
import { context } from '@opentelemetry/api';
import type { Diag } from '../../../shared/diag.js';
import type { ClientRequest, StartClientSpan } from './client-span.js';
import { errorName } from './fetch.js';
import { type Method, patchMethod } from './patch.js';

/** The part of an XMLHttpRequest used here. */
export interface XhrLike {
  readonly status: number;
  setRequestHeader(name: string, value: string): void;
  addEventListener(type: string, fn: (e: Event) => void): void;
  removeEventListener(type: string, fn: (e: Event) => void): void;
}

interface Opened {
  method: unknown;
  url: string;
  /** Set while the request runs: stops listening and ends its span (with an error type, or none). */
  end?: (errorType?: string) => void;
}

const END_EVENTS = ['load', 'error', 'timeout', 'abort'];

/** Ends the span on the first of load (with the status), error, timeout (errors) or abort. */
function listen(xhr: XhrLike, client: ClientRequest, state: Opened): void {
  const stop = (): void => {
    state.end = undefined;
    for (const t of END_EVENTS) xhr.removeEventListener(t, onEvent);
  };
  const onEvent = (e: Event): void => {
    stop();
    if (e.type === 'load') client.end(xhr.status);
    else client.end(undefined, e.type === 'abort' ? undefined : e.type);
  };
  for (const t of END_EVENTS) xhr.addEventListener(t, onEvent);
  state.end = (errorType) => {
    stop();
    client.end(undefined, errorType);
  };
}

/** Instruments `proto` (XMLHttpRequest.prototype); returns the undo. */
export function instrumentXhr(proto: object | undefined, start: StartClientSpan, diag: Diag): () => void {
  const opened = new WeakMap<object, Opened>();
  const undoOpen = patchMethod(
    proto,
    'open',
    (original): Method =>
      function (this: unknown, ...args: unknown[]) {
        // Opening again terminates the running request without an event: its span ends here.
        opened.get(this as object)?.end?.();
        const result = original.apply(this, args);
        opened.set(this as object, { method: args[0], url: String(args[1]) });
        return result;
      },
    diag,
  );
  const undoSend = patchMethod(
    proto,
    'send',
    (original): Method =>
      function (this: unknown, ...args: unknown[]) {
        const xhr = this as XhrLike;
        const state = opened.get(xhr);
        let client: ClientRequest | undefined;
        try {
          if (state && !state.end) client = start(state.method, state.url);
          if (client && state) {
            listen(xhr, client, state);
            client.inject((k, v) => xhr.setRequestHeader(k, v));
          }
        } catch (err) {
          diag.warn('B24' /* tracing an XMLHttpRequest failed */, err);
        }
        if (!client) return original.apply(this, args);
        try {
          return context.with(client.ctx, () => original.apply(this, args));
        } catch (err) {
          // send threw (a synchronous request whose error event did not end the span already).
          state?.end?.(errorName(err));
          throw err;
        }
      },
    diag,
  );
  return () => {
    undoOpen();
    undoSend();
  };
}
