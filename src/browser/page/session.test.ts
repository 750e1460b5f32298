import { describe, expect, it } from 'vitest';
import { quietDiag } from '../testing/fakes.js';
import { createSession, parseSession, SHARED_SESSION_KEY, tabSession } from './session.js';

const MIN = 60_000;

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) } as Storage;
}

/** One tab of the origin: its window (shared localStorage), its events, a clock all tabs share. */
function tab(localStorage: Storage, clock: { t: number }, random?: () => number) {
  const win = Object.assign(new EventTarget(), { localStorage });
  const events: Array<[string, Record<string, string>]> = [];
  let n = 0;
  const session = createSession({
    win,
    now: () => clock.t,
    newId: () => (++n).toString(16).padStart(32, String(events.length + 1)),
    options: { sessionInactivityTimeoutMs: 15 * MIN, sessionMaxDurationMs: 240 * MIN, sampleRate: 0.5 },
    random,
    event: (name, attributes) => events.push([name, attributes]),
    diag: quietDiag(),
  });
  return { win, events, session };
}

describe('session', () => {
  it('starts a session with a session.start event, and keeps it while records come', () => {
    const clock = { t: 1_750_000_000_000 };
    const { session, events } = tab(memoryStorage(), clock);
    const id = session.id();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(events).toEqual([['session.start', { 'session.id': id }]]);
    for (let i = 0; i < 10; i++) {
      clock.t += 10 * MIN;
      expect(session.id()).toBe(id);
    }
    expect(session.previousId()).toBeUndefined();
    expect(events).toHaveLength(1);
  });

  it('rolls over after the inactivity timeout: session.end, then session.start with session.previous_id', () => {
    const clock = { t: 1_750_000_000_000 };
    const { session, events } = tab(memoryStorage(), clock);
    const first = session.id();
    clock.t += 15 * MIN;
    const second = session.id();
    expect(second).not.toBe(first);
    expect(session.previousId()).toBe(first);
    expect(events.slice(1)).toEqual([
      ['session.end', { 'session.id': first }],
      ['session.start', { 'session.id': second, 'session.previous_id': first }],
    ]);
  });

  it('rolls over at the maximum length however active the session is', () => {
    const clock = { t: 1_750_000_000_000 };
    const { session } = tab(memoryStorage(), clock);
    const first = session.id();
    for (let i = 0; i < 24; i++) {
      clock.t += 10 * MIN;
      session.id();
    }
    expect(session.id()).not.toBe(first);
  });

  it('is shared by the tabs of the origin: a later tab joins it, a roll-over reaches the other tab by the storage event', () => {
    const clock = { t: 1_750_000_000_000 };
    const storage = memoryStorage();
    const a = tab(storage, clock);
    const id = a.session.id();
    clock.t += 5 * MIN;
    const b = tab(storage, clock);
    expect(b.session.id()).toBe(id);
    expect(b.events).toEqual([]); // joined, not started
    // Tab b is active, tab a is not: a's next record still belongs to the session b kept alive.
    clock.t += 14 * MIN;
    b.session.id();
    clock.t += 14 * MIN;
    expect(a.session.id()).toBe(id);
    // Tab b starts the next session; tab a learns of it from the storage event.
    clock.t += 16 * MIN;
    const next = b.session.id();
    a.win.dispatchEvent(Object.assign(new Event('storage'), { key: SHARED_SESSION_KEY, newValue: storage.getItem(SHARED_SESSION_KEY) }));
    expect(a.session.id()).toBe(next);
    expect(a.session.previousId()).toBe(id);
    expect(a.events.filter(([name]) => name === 'session.start')).toHaveLength(1);
  });

  it('survives a reload (a new page of the same tab reads it back), and works in memory without storage', () => {
    const clock = { t: 1_750_000_000_000 };
    const storage = memoryStorage();
    const id = tab(storage, clock).session.id();
    clock.t += MIN;
    expect(tab(storage, clock).session.id()).toBe(id);
    const blocked = createSession({
      win: Object.defineProperty(new EventTarget(), 'localStorage', {
        get() {
          throw new Error('SecurityError');
        },
      }),
      now: () => clock.t,
      newId: () => 'ab'.repeat(16),
      options: { sessionInactivityTimeoutMs: MIN, sessionMaxDurationMs: 10 * MIN },
      event: () => undefined,
      diag: quietDiag(),
    });
    expect(blocked.id()).toBe('ab'.repeat(16));
    expect(blocked.id()).toBe('ab'.repeat(16));
  });

  it('ignores a stored session that is not one of ours', () => {
    expect(parseSession('{"id":"x","start":1,"last":2}')).toBeUndefined();
    expect(parseSession('not json')).toBeUndefined();
    expect(parseSession(null)).toBeUndefined();
    expect(parseSession(JSON.stringify({ id: 'a'.repeat(32), start: 5, last: 4 }))).toBeUndefined();
  });

  it('lite: one id per tab, kept in sessionStorage', () => {
    const win = Object.assign(new EventTarget(), { sessionStorage: memoryStorage() });
    const ctx = { win, newId: () => 'cd'.repeat(16), diag: quietDiag() };
    expect(tabSession(ctx).id()).toBe('cd'.repeat(16));
    expect(tabSession({ ...ctx, newId: () => 'ef'.repeat(16) }).id()).toBe('cd'.repeat(16));
  });

  it('decides sampling once per session: stored with it, the same in every tab, decided again at a roll-over', () => {
    const clock = { t: 1_750_000_000_000 };
    const storage = memoryStorage();
    const draws = [0.9, 0.1];
    let calls = 0;
    const random = () => draws[calls++ % 2]!;
    const a = tab(storage, clock, random);
    expect(a.session.sampled()).toBe(false); // 0.9 >= sampleRate 0.5
    for (let i = 0; i < 5; i++) expect(a.session.sampled()).toBe(false);
    const b = tab(storage, clock, () => 0); // would sample, but joins the session's decision
    expect(b.session.sampled()).toBe(false);
    expect(calls).toBe(1);
    clock.t += 15 * MIN;
    expect(a.session.sampled()).toBe(true); // new session, new draw (0.1)
    expect(calls).toBe(2);
    expect(JSON.parse(storage.getItem(SHARED_SESSION_KEY)!)).toMatchObject({ id: a.session.id(), smp: 1 });
  });

  it('decides once for a stored session from before sampling was stored', () => {
    const clock = { t: 1_750_000_000_000 };
    const storage = memoryStorage();
    storage.setItem(SHARED_SESSION_KEY, JSON.stringify({ id: 'a'.repeat(32), start: clock.t, last: clock.t }));
    const a = tab(storage, clock, () => 0.2);
    expect(a.session.sampled()).toBe(true);
    expect(a.session.id()).toBe('a'.repeat(32));
    expect(JSON.parse(storage.getItem(SHARED_SESSION_KEY)!).smp).toBe(1);
  });
});
