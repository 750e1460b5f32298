import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngestMetrics } from './metrics.js';
import { Responder } from './respond.js';
import { createViewerRoute } from './viewer-route.js';

let dir: string;
let server: Server;
let base: string;
const metrics = new IngestMetrics();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotel-viewer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="viewer.js"></script>');
  writeFileSync(join(dir, 'viewer.js'), 'export {};');
  writeFileSync(join(dir, 'viewer.css'), 'body{}');
  const route = createViewerRoute(new Responder(metrics), `${dir}/`);
  server = createServer((req, res) => route(req, res, new URL(req.url ?? '/', 'http://x').pathname));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('the viewer route (/ui/)', () => {
  it('serves the shell, script and stylesheet with their content types and the CSP', async () => {
    for (const [path, type] of [['/ui/', 'text/html'], ['/ui/viewer.js', 'text/javascript'], ['/ui/viewer.css', 'text/css']]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(await (await fetch(`${base}/ui/viewer.js`)).text()).toBe('export {};');
  });

  it('redirects /ui to /ui/ relatively, so a mount prefix is kept', async () => {
    const res = await fetch(`${base}/ui`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('ui/');
  });

  it('answers GET only, and 404 for any other file', async () => {
    const post = await fetch(`${base}/ui/`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect((await fetch(`${base}/ui/../package.json`)).status).toBe(404);
    expect((await fetch(`${base}/ui/secret.txt`)).status).toBe(404);
    expect(metrics.render({ bytes: 0, max: 1 }, [], 0)).toContain('route="/ui/",status="200"');
  });

  it('says the viewer is not built when dist/viewer is missing', async () => {
    const route = createViewerRoute(new Responder(new IngestMetrics()), null);
    const s = createServer((req, res) => route(req, res, '/ui/'));
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/ui/`);
    await new Promise<void>((resolve) => s.close(() => resolve()));
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('not built');
  });
});
