import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Responder } from './respond.js';

/**
 * GET /ui/: the explorer (src/viewer, bundled by `npm run build` into dist/viewer/): the HTML shell, one
 * script, one stylesheet and the icon, each with its content type and the security headers every answer carries (the
 * CSP forbids inline script: the shell has none). GET only. The files hold no data and are the same for
 * every install, so they need no read key (a browser cannot send a header when it opens a page); the page
 * asks for the key when the API it calls answers 401. Read once, on first request, and kept.
 */
export const VIEWER_ROUTE = '/ui/';

const FILES: Readonly<Record<string, readonly [string, string]>> = {
  '/ui/': ['index.html', 'text/html; charset=utf-8'],
  '/ui/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/ui/viewer.js': ['viewer.js', 'text/javascript; charset=utf-8'],
  '/ui/viewer.css': ['viewer.css', 'text/css; charset=utf-8'],
  '/ui/favicon.svg': ['favicon.svg', 'image/svg+xml'],
  '/ui/viewer.js.map': ['viewer.js.map', 'application/json'],
  '/ui/viewer.css.map': ['viewer.css.map', 'application/json'],
};

export function isViewerPath(path: string): boolean {
  return path === '/ui' || path.startsWith('/ui/');
}

/** dist/viewer beside the built ingest (dist/collector/), or from the sources (src/collector-endpoint/) under test. */
export function findViewerDir(): string | undefined {
  const here = typeof __filename === 'string' ? pathToFileURL(__filename) : new URL(import.meta.url);
  for (const rel of ['../viewer/', '../../dist/viewer/']) {
    const dir = fileURLToPath(new URL(rel, here));
    // viewer.js, not index.html: from the sources, ../viewer/ is src/viewer, which has the shell but no bundle.
    if (existsSync(`${dir}viewer.js`)) return dir;
  }
  return undefined;
}

/** `dir` null: there is no built viewer (every file answers 404 saying so). */
export function createViewerRoute(r: Responder, dir: string | null = findViewerDir() ?? null) {
  const cache = new Map<string, Buffer>();
  return (req: IncomingMessage, res: ServerResponse, path: string): void => {
    req.resume();
    if (req.method !== 'GET') return r.fail(res, VIEWER_ROUTE, 405, `method ${req.method} not allowed`, 'json', { Allow: 'GET' });
    // Relative, so that the redirect also holds where the ingest is mounted under a prefix (/otel/ui → /otel/ui/).
    if (path === '/ui') return r.send(res, VIEWER_ROUTE, 308, 'text/plain; charset=utf-8', 'see /ui/', { Location: 'ui/' });
    const file = FILES[path];
    if (!file) return r.fail(res, VIEWER_ROUTE, 404, `no viewer file ${path}`);
    if (!dir) return r.fail(res, VIEWER_ROUTE, 404, 'the viewer is not built (npm run build writes dist/viewer/)');
    let body = cache.get(file[0]);
    if (!body) {
      try {
        body = readFileSync(`${dir}${file[0]}`);
      } catch {
        return r.fail(res, VIEWER_ROUTE, 404, `no viewer file ${path}`);
      }
      cache.set(file[0], body);
    }
    r.send(res, VIEWER_ROUTE, 200, file[1], body, { 'Cache-Control': 'no-cache' });
  };
}
