/**
 * fetch instrumentation: each call of the page's fetch becomes a CLIENT span (ended when the response
 * arrives, or with the error when the call fails), made in that span's context so the W3C headers name it
 * as the parent of the server span. The caller's Request and init objects are never changed: the headers
 * go on a copy. Whatever goes wrong here, the page's fetch runs as it would have.
 */
import { context } from '@opentelemetry/api';
import type { Diag } from '../../../shared/diag.js';
import type { ClientRequest, StartClientSpan } from './client-span.js';
import { type Method, patchMethod } from './patch.js';

type Fetch = (input: unknown, init?: RequestInit) => Promise<Response>;

const isRequest = (v: unknown): v is Request => typeof Request === 'function' && v instanceof Request;

/** error.type of a failed call: the error's name (TypeError for a network error, AbortError). */
export function errorName(err: unknown): string {
  try {
    const name = (err as { name?: unknown } | null | undefined)?.name;
    return typeof name === 'string' && name ? name : 'Error';
  } catch {
    return 'Error';
  }
}

/** The span of a call and the arguments to make it with (trace headers added where allowed). */
function prepare(start: StartClientSpan, input: unknown, init: RequestInit | undefined): [ClientRequest, unknown[]] | undefined {
  const req = isRequest(input) ? input : undefined;
  const client = start(init?.method ?? req?.method, req ? req.url : String(input));
  if (!client) return undefined;
  let args: unknown[] = [input, init];
  try {
    if (req) {
      const copy = new Request(req, init);
      client.inject((k, v) => copy.headers.set(k, v));
      args = [copy];
    } else {
      const headers = new Headers(init?.headers);
      client.inject((k, v) => headers.set(k, v));
      args = [input, Object.assign({}, init, { headers })];
    }
  } catch {
    // Headers the browser refuses, a used body: fetch decides about those, with the caller's arguments.
  }
  return [client, args];
}

export function instrumentFetch(target: object | undefined, start: StartClientSpan, diag: Diag): () => void {
  return patchMethod(
    target,
    'fetch',
    (original): Method =>
      function (this: unknown, ...callArgs: unknown[]) {
        let prepared: [ClientRequest, unknown[]] | undefined;
        try {
          prepared = prepare(start, callArgs[0], callArgs[1] as RequestInit | undefined);
        } catch (err) {
          diag.warn('B26' /* tracing a fetch call failed */, err);
        }
        if (!prepared) return original.apply(this, callArgs);
        const [client, args] = prepared;
        let pending: Promise<Response>;
        try {
          pending = context.with(client.ctx, () => (original as Fetch).apply(this, args as Parameters<Fetch>));
        } catch (err) {
          client.end(undefined, errorName(err));
          throw err;
        }
        return pending.then(
          (res) => {
            client.end(res.status);
            return res;
          },
          (err: unknown) => {
            client.end(undefined, errorName(err));
            throw err;
          },
        );
      },
    diag,
  );
}
