/**
 * Names of the fetch/XHR CLIENT spans: `{method} {url.template}` as the HTTP semantic conventions name
 * client spans (`HTTP` for a method they do not know), e.g. `GET /api/items/:id`. The template is the URL's
 * path with the segments that identify one item collapsed to `:id` (digits only, a UUID, 16 or more hex
 * digits), so that spans of one route share a name (the full URL is the span's `url.full`). The app's
 * `httpSpanName` hook may name the span itself; when it throws or returns no name, the default applies.
 */
import type { Diag } from '../../../shared/diag.js';
import type { HttpSpanNameInput } from '../../types.js';

const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})$/i;

/** `/api/items/42/parts/3f2a…` → `/api/items/:id/parts/:id`. */
export function pathTemplate(pathname: string): string {
  return pathname.split('/').map((segment) => (ID_SEGMENT.test(segment) ? ':id' : segment)).join('/') || '/';
}

export interface SpanNaming {
  name: string;
  template: string;
}

/** `method`: the semantic-convention method (`_OTHER` for an unknown one). */
export type NameHttpSpan = (method: string, url: URL) => SpanNaming;

export function httpSpanNamer(hook: ((request: HttpSpanNameInput) => string | undefined) | undefined, diag: Diag): NameHttpSpan {
  return (method, url) => {
    const template = pathTemplate(url.pathname);
    let name = `${method === '_OTHER' ? 'HTTP' : method} ${template}`;
    if (hook) {
      try {
        const chosen = hook({ method, url: url.href, template });
        if (typeof chosen === 'string' && chosen) name = chosen;
      } catch (err) {
        diag.warn('B25' /* httpSpanName threw: the default span name is used */, err);
      }
    }
    return { name, template };
  };
}
