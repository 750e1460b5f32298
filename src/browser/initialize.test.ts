import { describe, expect, it } from 'vitest';
import type { WindowLike } from './env.js';
import { createTelemetry } from './initialize.js';
import { liteFeatures as lite } from './features-lite.js';
import { captureConsole } from './console/capture.js';

// The lite features plus console capture (the full build's), without tracing: what node can run.
const liteFeatures = { ...lite, captureConsole };
import { createSoloLock } from './lock/sender-lock.js';
import { createMemoryStore } from './queue/memory-store.js';
import { fakeServer, fakeTime, quietDiag, recordingBeacon } from './testing/fakes.js';
import type { BrowserOptions, TelemetryHealth } from './types.js';

interface OtlpKV {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpLog {
  body?: { stringValue?: string };
  severityText: string;
  severityNumber: number;
  attributes: OtlpKV[];
}

function storage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => Array.from(m.keys())[i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

function fakeWindow(): WindowLike & EventTarget & { document: { visibilityState: string; URL: string } } {
  const w = new EventTarget();
  const printed: string[] = [];
  return Object.assign(w, {
    location: { href: 'https://shop.example.com/checkout?token=abc123&step=2#frag' },
    navigator: { userAgent: 'TestAgent/1.0' },
    // url.full comes from document.URL (page-info.ts), the same address as location.href in a browser.
    document: { visibilityState: 'visible', URL: 'https://shop.example.com/checkout?token=abc123&step=2#frag' },
    sessionStorage: storage(),
    localStorage: storage(),
    console: { log: (m: string) => printed.push(m), warn: (m: string) => printed.push(m) } as unknown as Console,
  });
}

const options: BrowserOptions = {
  endpoint: 'https://ingest.example.com',
  serviceName: 'shop-web',
  serviceVersion: '1.4.2',
  environment: 'production',
  ingestKey: 'k1',
};

function setup(over: Partial<BrowserOptions> = {}, win = fakeWindow()) {
  const time = fakeTime();
  const server = fakeServer();
  const beacon = recordingBeacon();
  const diag = quietDiag();
  const store = createMemoryStore();
  const telemetry = createTelemetry({ ...options, ...over }, liteFeatures, {
    win,
    store,
    request: server.request,
    beacon,
    lock: createSoloLock(),
    now: time.now,
    timers: time.timers,
    diag,
  });
  const logs = (): OtlpLog[] =>
    server.calls.flatMap((c) => (JSON.parse(c.body).resourceLogs ?? []).flatMap((rl: { scopeLogs: Array<{ logRecords: OtlpLog[] }> }) => rl.scopeLogs.flatMap((s) => s.logRecords)));
  const attr = (l: OtlpLog, key: string) => l.attributes.find((a) => a.key === key)?.value;
  return { telemetry, server, beacon, diag, time, win, store, logs, attr };
}

describe('init (lite features)', () => {
  it('records a log with ids, session, page attributes and resource, and delivers it on flush', async () => {
    const t = setup();
    t.telemetry.logger.info('checkout started', { cart_items: 3 });
    expect(await t.telemetry.flush()).toEqual({ done: true, queued: 0 });
    expect(t.server.calls).toHaveLength(1);
    expect(t.server.calls[0].url).toMatch(/^https:\/\/ingest\.example\.com\/v1\/logs\?sent_at=\d+$/);
    const body = JSON.parse(t.server.calls[0].body);
    const resource = Object.fromEntries(body.resourceLogs[0].resource.attributes.map((a: OtlpKV) => [a.key, a.value.stringValue]));
    expect(resource).toMatchObject({ 'service.name': 'shop-web', 'service.version': '1.4.2', 'deployment.environment.name': 'production', 'telemetry.sdk.name': 'isotel' });
    const [log] = t.logs();
    expect(log.body?.stringValue).toBe('checkout started');
    expect([log.severityText, log.severityNumber]).toEqual(['INFO', 9]);
    expect(t.attr(log, 'cart_items')).toEqual({ intValue: '3' });
    expect(t.attr(log, 'session.id')).toEqual({ stringValue: t.telemetry.sessionId });
    expect(t.attr(log, 'url.full')).toEqual({ stringValue: 'https://shop.example.com/checkout?token=[REDACTED]&step=2' });
    expect(t.attr(log, 'user_agent.original')).toEqual({ stringValue: 'TestAgent/1.0' });
    expect(t.attr(log, 'log.record.uid')?.stringValue).toMatch(/^[0-9A-Z]{24}$/);
    expect(t.telemetry.health()).toMatchObject({ queued: 0, delivered: 1, inFlight: 0, sender: true, storage: 'memory' });
  });

  it('keeps the session id in sessionStorage across page loads of the tab', () => {
    const win = fakeWindow();
    const a = setup({}, win).telemetry.sessionId;
    const b = setup({}, win).telemetry.sessionId;
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).toBe(a);
  });

  it('makes levels below logLevel no-ops', async () => {
    const t = setup({ logLevel: 'warn' });
    expect(t.telemetry.logger.debug).toBe(t.telemetry.logger.info);
    t.telemetry.logger.info('hidden');
    t.telemetry.logger.error('shown', { error: new RangeError('bad') });
    await t.telemetry.flush();
    const logs = t.logs();
    expect(logs.map((l) => l.body?.stringValue)).toEqual(['shown']);
    expect(t.attr(logs[0], 'exception.type')).toEqual({ stringValue: 'RangeError' });
  });

  it('lets beforeSend redact or drop records, and drops (counted) when it throws', async () => {
    const t = setup({
      beforeSend: (r) => {
        if (r.body === 'drop me') return null;
        if (r.body === 'throw') throw new Error('hook bug');
        return { ...r, attributes: { ...r.attributes, email: '[email]' } };
      },
    });
    t.telemetry.logger.info('keep', { email: 'a@b.c' });
    t.telemetry.logger.info('drop me');
    t.telemetry.logger.info('throw');
    await t.telemetry.flush();
    expect(t.logs().map((l) => [l.body?.stringValue, t.attr(l, 'email')])).toEqual([['keep', { stringValue: '[email]' }]]);
    expect(t.telemetry.health().dropped).toEqual({ total: 2, reasons: { before_send: 1, before_send_threw: 1 } });
  });

  it('never throws on invalid options: warns once and returns a telemetry that does nothing', async () => {
    const diag = quietDiag();
    const telemetry = createTelemetry({ serviceName: 'x' }, liteFeatures, { win: fakeWindow(), diag });
    expect(() => telemetry.logger.info('ignored')).not.toThrow();
    expect(await telemetry.flush()).toEqual({ done: true, queued: 0 });
    expect(telemetry.health().lastError).toMatch(/endpoint is required/);
    expect(diag.messages).toEqual(['warn: B02 endpoint is required']);
  });

  it('is a no-op without a window (server-side rendering)', () => {
    const diag = quietDiag();
    const t = createTelemetry(options, liteFeatures, { diag });
    expect(t.health().storage).toBe('none');
    expect(diag.messages[0]).toBe('warn: B01'); // no window
  });

  it('never throws from the logger, whatever the attributes', async () => {
    const t = setup();
    const circular: Record<string, unknown> = { n: 1n };
    circular.self = circular;
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    expect(() => t.telemetry.logger.warn(circular, hostile as Record<string, unknown>)).not.toThrow();
    await t.telemetry.flush();
    expect(t.logs()).toHaveLength(1);
  });

  it('records uncaught errors from the window', async () => {
    const t = setup();
    t.win.dispatchEvent(Object.assign(new Event('error'), { error: new TypeError('boom'), message: 'Uncaught TypeError: boom' }));
    await t.telemetry.flush();
    const [log] = t.logs();
    expect(log.severityText).toBe('ERROR');
    expect(t.attr(log, 'exception.message')).toEqual({ stringValue: 'boom' });
  });

  it('sends pending records by beacon when the page is hidden', async () => {
    const t = setup();
    t.telemetry.logger.info('before hide');
    t.win.document.visibilityState = 'hidden';
    t.win.dispatchEvent(new Event('visibilitychange'));
    expect(t.beacon.sent).toHaveLength(1);
    expect(t.beacon.sent[0].url).toMatch(/\/v1\/logs\?sent_at=\d+&ingest_key=k1$/);
    expect(t.telemetry.health().beaconed).toBe(1);
  });

  it('tells subscribers about queued and delivered records', async () => {
    const seen: TelemetryHealth[] = [];
    const t = setup({ onStatus: (s) => seen.push(s) });
    t.server.replies.push({ status: 503 });
    t.telemetry.logger.info('one');
    t.telemetry.logger.info('two');
    await t.time.advance(300);
    expect(seen.at(-1)).toMatchObject({ queued: 2, delivered: 0, lastError: 'http_503' });
    await t.time.advance(2_000); // the backoff
    expect(seen.at(-1)).toMatchObject({ queued: 0, delivered: 2 });
    const unsubscribe = t.telemetry.subscribe((s) => seen.push(s));
    unsubscribe();
  });

  it('shuts down once: flushes, removes listeners, restores console, ignores later logs', async () => {
    const win = fakeWindow();
    const originalLog = win.console!.log;
    const t = setup({ captureConsole: true }, win);
    expect(win.console!.log).not.toBe(originalLog);
    win.console!.log('captured');
    t.telemetry.logger.info('last words');
    await Promise.all([t.telemetry.shutdown(), t.telemetry.shutdown()]);
    expect(t.logs().map((l) => l.body?.stringValue)).toEqual(['captured', 'last words']);
    expect(win.console!.log).toBe(originalLog);
    win.dispatchEvent(Object.assign(new Event('error'), { error: new Error('after') }));
    t.telemetry.logger.info('after shutdown');
    await t.telemetry.flush();
    expect(t.server.calls).toHaveLength(1);
    expect(t.diag.messages).toContain('warn: B04'); // logger used after shutdown
    expect(t.time.pending()).toBe(0);
  });

  it('rescues records whose IndexedDB write is still open when the page hides, and the next page sends them', async () => {
    const win = fakeWindow();
    const stalled = createMemoryStore();
    stalled.write = () => new Promise(() => {}); // the page is torn down before the transaction commits
    const time = fakeTime();
    const first = createTelemetry(options, liteFeatures, {
      win, store: stalled, request: fakeServer().request, beacon: null, lock: createSoloLock(), now: time.now, timers: time.timers, diag: quietDiag(),
    });
    first.logger.info('one');
    first.logger.info('two');
    await Promise.resolve();
    win.document.visibilityState = 'hidden';
    win.dispatchEvent(new Event('pagehide'));
    const keys = Array.from({ length: win.localStorage!.length }, (_, i) => win.localStorage!.key(i));
    expect(keys).toEqual([expect.stringMatching(/^isotel\.rescue\./)]);

    const t = setup({}, win);
    await t.telemetry.flush();
    expect(t.logs().map((l) => l.body?.stringValue)).toEqual(['one', 'two']);
    expect(win.localStorage!.length).toBe(0);
  });

  it('leaves nothing in localStorage when the queue had written everything before the page hid', async () => {
    const t = setup();
    t.telemetry.logger.info('stored');
    await t.telemetry.flush();
    t.win.document.visibilityState = 'hidden';
    t.win.dispatchEvent(new Event('visibilitychange'));
    expect(t.win.localStorage!.length).toBe(0);
  });

  it('rescues beaconed records too (a beacon is sent, not delivered), and everything when the queue is in memory', async () => {
    const rescued = (win: ReturnType<typeof fakeWindow>) =>
      Array.from({ length: win.localStorage!.length }, (_, i) => JSON.parse(win.localStorage!.getItem(win.localStorage!.key(i)!)!) as Array<[string, { record: { body: string } }]>)
        .flat()
        .map(([, e]) => e.record.body);
    const time = fakeTime();
    const deps = (store: ReturnType<typeof createMemoryStore>) => ({
      store, request: fakeServer().request, beacon: recordingBeacon(), lock: createSoloLock(), now: time.now, timers: time.timers, diag: quietDiag(),
    });

    // IndexedDB stalled: the beacon carries the records, and the rescue keeps them as well.
    const a = fakeWindow();
    const stalled = createMemoryStore();
    stalled.write = () => new Promise(() => {});
    const ta = createTelemetry(options, liteFeatures, { win: a, ...deps(stalled) });
    ta.logger.info('beaconed');
    await Promise.resolve();
    a.dispatchEvent(new Event('pagehide'));
    expect(ta.health().beaconed).toBe(1);
    expect(rescued(a)).toEqual(['beaconed']);

    // IndexedDB failed: the queue is in memory, so everything this tab holds is rescued, written or not.
    const b = fakeWindow();
    const failing = { ...createMemoryStore(), kind: 'indexeddb' as const, write: () => Promise.reject(new Error('QuotaExceededError')) };
    const tb = createTelemetry(options, liteFeatures, { win: b, ...deps(failing), beacon: null, request: fakeServer({ status: 503 }).request });
    tb.logger.info('in memory');
    await tb.flush().catch(() => undefined);
    expect(tb.health().storage).toBe('memory');
    b.dispatchEvent(new Event('pagehide'));
    expect(rescued(b)).toEqual(['in memory']);
  });
});
