/**
 * Captured errors in Chromium with the shipped script-tag build (dist/browser/isotel.global.js, minified by
 * terser, with its chained source map): an app error thrown from inside the SDK's XMLHttpRequest.send (the
 * app sends an XHR it never opened) is attributed to the app's file and line, not to isotel's frames on top
 * of it; and the SDK's frames of the raw stack resolve, with the `.map` isotel ships, to the original
 * TypeScript file and line.
 */
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBoth, listenAndLaunch } from './helpers/browser.js';
import { waitFor } from './helpers/wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = join(ROOT, 'dist', 'browser', 'isotel.global.js');

/** The app, in a file of its own. Line 3 sends an XMLHttpRequest that was never opened. */
const APP = `// the app
function sendUnopened() {
  new XMLHttpRequest().send();
}
window.rawStack = (() => { try { sendUnopened(); } catch (e) { return e.stack; } })();
setTimeout(sendUnopened, 0);
`;
const PAGE = `<!doctype html><script src="/isotel.js"></script><script>
window.telemetry = Isotel.init({ endpoint: location.origin + '/ingest', serviceName: 'errors-e2e', batchDelayMs: 100 });
</script><script src="/app.js"></script>`;

interface OtlpLog {
  body?: { stringValue?: string };
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string | number } }>;
}

let server: Server;
let origin = '';
let browser: Browser;
const logs: OtlpLog[] = [];

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` before the browser tests (npm test does)`);
  const files: Record<string, [string, string]> = { '/': ['text/html', PAGE], '/app.js': ['text/javascript', APP], '/isotel.js': ['text/javascript', readFileSync(BUNDLE, 'utf8')] };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/ingest/v1/logs') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const rl of body.resourceLogs ?? []) for (const sl of rl.scopeLogs) logs.push(...sl.logRecords);
      }
      const [type, text] = files[path] ?? ['application/json', '{}'];
      res.writeHead(200, { 'content-type': type }).end(text);
    });
  });
  ({ origin, browser } = await listenAndLaunch(server));
});

afterAll(() => closeBoth(browser, server));

const attr = (l: OtlpLog, key: string) => {
  const v = l.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue === undefined ? undefined : Number(v.intValue));
};
/** file, line, column of each frame of a Chromium stack. */
const frames = (stack: string) => [...stack.matchAll(/\((\S+):(\d+):(\d+)\)|at (\S+):(\d+):(\d+)$/gm)].map((m) => ({ file: m[1] ?? m[4], line: Number(m[2] ?? m[5]), column: Number(m[3] ?? m[6]) }));

describe('captured errors with the script-tag build', () => {
  let rawStack = '';

  it("attributes an app error thrown inside isotel's XMLHttpRequest.send to the app's file and line", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${origin}/`);
    rawStack = await page.evaluate(() => (window as unknown as { rawStack: string }).rawStack);
    // Without the removal, isotel would be the culprit: its frames are on top of the raw stack.
    expect(frames(rawStack)[0].file).toBe(`${origin}/isotel.js`);
    const log = await waitFor('the captured error', () => logs.find((l) => attr(l, 'isotel.error.source') === 'window.error'));
    const stack = String(attr(log, 'exception.stacktrace'));
    expect(stack).not.toContain('/isotel.js');
    expect(frames(stack)[0]).toMatchObject({ file: `${origin}/app.js`, line: 3 });
    expect(attr(log, 'exception.type')).toBe('InvalidStateError');
    expect({ file: attr(log, 'code.file.path'), line: attr(log, 'code.line.number') }).toEqual({ file: `${origin}/app.js`, line: 3 });
    await page.context().close();
  });

  it('resolves the raw stack\'s isotel frames with the shipped .map to the original TypeScript file and line', () => {
    const map = new TraceMap(readFileSync(`${BUNDLE}.map`, 'utf8'));
    const own = frames(rawStack).filter((f) => f.file === `${origin}/isotel.js`);
    const original = own.map((f) => originalPositionFor(map, { line: f.line, column: f.column - 1 }));
    const lineOf = (file: string, text: string) => readFileSync(join(ROOT, file), 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
    expect(original.slice(0, 2).map((p) => [p.source?.replace(/^.*?src\//, 'src/'), p.line])).toEqual([
      ['src/browser/tracing/http/xhr.ts', lineOf('src/browser/tracing/http/xhr.ts', 'if (!client) return original.apply(this, args);')],
      ['src/browser/tracing/http/patch.ts', lineOf('src/browser/tracing/http/patch.ts', 'return (active ? wrapped : orig).apply(this, args);')],
    ]);
  });
});
