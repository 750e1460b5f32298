import { describe, expect, it } from 'vitest';
import { decodeMetrics } from '../../shared/otlp/decode.js';
import { liteFeatures } from '../features-lite.js';
import { createTelemetry } from '../initialize.js';
import { createSoloLock } from '../lock/sender-lock.js';
import { createMemoryStore } from '../queue/memory-store.js';
import { fakeServer, fakeTime, quietDiag } from '../testing/fakes.js';
import { noopTelemetry } from '../noop.js';
import { isQueueEntry } from '../queue/validate.js';
import { createMeter, type MeterDeps } from './meter.js';

type MeterWindow = NonNullable<MeterDeps['win']>;

function setup() {
  const time = fakeTime();
  const server = fakeServer();
  const win = Object.assign(new EventTarget(), { document: { visibilityState: 'visible' }, location: { href: 'https://shop.example.com/' } });
  const telemetry = createTelemetry({ endpoint: 'https://ingest.example.com', serviceName: 'shop-web' }, liteFeatures, {
    win,
    store: createMemoryStore(),
    request: server.request,
    beacon: null,
    lock: createSoloLock(),
    now: time.now,
    timers: time.timers,
    diag: quietDiag(),
  });
  const warnings: string[] = [];
  const timers: Array<() => void> = [];
  const meterWin = Object.assign(win, {
    setTimeout: (fn: () => void) => timers.push(fn),
    clearTimeout: () => undefined,
  }) as unknown as MeterWindow;
  const meter = createMeter(telemetry, {}, { win: meterWin, now: time.now, warn: (m) => warnings.push(m) });
  const bodies = () => server.calls.filter((c) => c.url.includes('/v1/metrics')).map((c) => JSON.parse(c.body) as unknown);
  const points = () => bodies().flatMap((b) => decodeMetrics(b).records);
  return { telemetry, meter, server, time, win, warnings, timers, bodies, points };
}

describe('createMeter', () => {
  it('sends a counter, a histogram and a gauge to /v1/metrics in delta temporality, as the ingest decodes them', async () => {
    const t = setup();
    const clicks = t.meter.counter('ui.clicks', { unit: '{click}' });
    clicks.add(1, { button: 'buy' });
    clicks.add(2, { button: 'buy' });
    clicks.add(1, { button: 'cancel' });
    t.meter.histogram('ui.render', { unit: 'ms', boundaries: [10, 100] }).record(42);
    t.meter.gauge('ui.cart_items').record(3);
    expect(await t.meter.flush()).toEqual({ done: true, queued: 0 });
    expect(t.server.calls.map((c) => c.url)).toEqual([expect.stringMatching(/^https:\/\/ingest\.example\.com\/v1\/metrics\?sent_at=\d+$/)]);
    const points = t.points();
    expect(points.filter((p) => p.name === 'ui.clicks').map((p) => [p.attributes.button, p.value, p.temporality, p.monotonic])).toEqual([
      ['buy', 3, 'delta', true],
      ['cancel', 1, 'delta', true],
    ]);
    expect(points.find((p) => p.name === 'ui.render')).toMatchObject({ type: 'histogram', count: 1, sum: 42, min: 42, max: 42, bucket_counts: [0, 1, 0], explicit_bounds: [10, 100] });
    expect(points.find((p) => p.name === 'ui.cart_items')).toMatchObject({ type: 'gauge', value: 3 });
    expect(points[0].resource).toMatchObject({ 'service.name': 'shop-web' });
  });

  it('starts each interval empty: the next flush sends only what was recorded since', async () => {
    const t = setup();
    const clicks = t.meter.counter('ui.clicks');
    clicks.add();
    await t.meter.flush();
    await t.time.advance(5000);
    clicks.add(4);
    t.timers.shift()!(); // the export interval
    await t.telemetry.flush();
    expect(t.points().map((p) => p.value)).toEqual([1, 4]);
    const [first, second] = t.points();
    expect(second.start_time).toBe(first.time);
  });

  it('queues the interval when the page hides, before the telemetry beacons', async () => {
    const t = setup();
    t.meter.counter('ui.clicks').add(1);
    t.win.document.visibilityState = 'hidden';
    t.win.dispatchEvent(new Event('visibilitychange'));
    t.win.document.visibilityState = 'visible';
    await t.telemetry.flush();
    expect(t.points().map((p) => p.value)).toEqual([1]);
  });

  it('ignores bad input with one warning each: a bad name, NaN, a negative count, unordered boundaries', async () => {
    const t = setup();
    t.meter.counter('1bad name').add(1);
    const c = t.meter.counter('ok');
    c.add(Number.NaN);
    c.add(-1);
    c.add(-2);
    t.meter.histogram('h', { boundaries: [5, 1] }).record(3);
    await t.meter.flush();
    expect(t.warnings).toEqual([
      'invalid instrument name "1bad name": its measurements are ignored',
      'ok: NaN is not a finite number (ignored)',
      'ok: a counter cannot add -1 (ignored)',
      'h: boundaries must be finite and ascending; the default boundaries are used',
    ]);
    expect(t.points().map((p) => p.name)).toEqual(['h']);
  });

  it('never throws into the page on attributes it cannot key (null, a BigInt, a cycle), and records the rest', async () => {
    const t = setup();
    const c = t.meter.counter('clicks');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => {
      c.add(1, null as never);
      c.add(1, { n: 1n } as never);
      c.add(1, cycle as never);
      c.add(2, { button: 'buy' });
    }).not.toThrow();
    await t.meter.flush();
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]).toMatch(/^clicks: attributes that cannot be recorded \(.*\); measurement ignored$/);
    expect(t.points().map((p) => [p.attributes, p.value])).toEqual([[{}, 1], [{ button: 'buy' }, 2]]);
  });

  it('queues entries that pass the IndexedDB validation (a metric has no attributes of its own)', () => {
    const record = { name: 'ui.clicks', sum: { dataPoints: [] }, resource: { 'service.name': 'w' }, scope: { name: 'isotel' } };
    expect(isQueueEntry({ kind: 'metric', record, bytes: 0, state: 'pending' })).toBe(true);
    expect(isQueueEntry({ kind: 'metric', record: { ...record, name: 1 }, bytes: 0, state: 'pending' })).toBe(false);
    expect(isQueueEntry({ kind: 'span', record, bytes: 0, state: 'pending' })).toBe(false);
  });

  it('stops with the telemetry: its shutdown queues the last interval, sends it, and stops the timer and listeners', async () => {
    const t = setup();
    const removed: string[] = [];
    const remove = t.win.removeEventListener.bind(t.win);
    t.win.removeEventListener = (type: string, fn: EventListenerOrEventListenerObject | null, o?: boolean | EventListenerOptions) => {
      removed.push(type);
      remove(type, fn, o);
    };
    let cleared = 0;
    (t.win as unknown as MeterWindow).clearTimeout = () => void cleared++;
    const clicks = t.meter.counter('ui.clicks');
    clicks.add(1);
    t.timers.shift()!(); // an interval while the telemetry runs: queued, and the timer armed again
    clicks.add(2);
    await t.telemetry.shutdown();
    expect(cleared).toBe(1);
    expect(removed.filter((type) => type === 'pagehide' || type === 'visibilitychange')).toEqual(['visibilitychange', 'pagehide', 'visibilitychange', 'pagehide']); // the meter's, then the telemetry's
    clicks.add(1);
    expect(t.warnings).toEqual(['meter used after shutdown (ignored)']);
    expect(t.points().map((p) => p.value)).toEqual([1, 2]);
  });

  it('does nothing, and does not throw, on a telemetry that is off', async () => {
    const meter = createMeter(noopTelemetry(), {}, { win: undefined, warn: () => undefined });
    expect(() => meter.counter('x').add(1)).not.toThrow();
    await expect(meter.flush()).resolves.toEqual({ done: true, queued: 0 });
    meter.shutdown();
    meter.shutdown();
  });
});
