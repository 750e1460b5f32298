import { describe, it, expect } from 'vitest';
import { IdWindow } from './id-window.js';

function clock() {
  let ms = 1_000;
  return { now: () => ms, advance: (s: number) => void (ms += s * 1000) };
}

describe('IdWindow', () => {
  it('remembers accepted ids and forgets the oldest beyond max_ids', () => {
    const w = new IdWindow({ maxIds: 3, windowSeconds: 3600 });
    w.add(['a', 'b']);
    w.add(['c', 'd', 'e']);
    expect(w.size).toBe(3);
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => w.has(id))).toEqual([false, false, true, true, true]);
  });

  it('forgets an id once the window has passed since it was accepted', () => {
    const c = clock();
    const w = new IdWindow({ maxIds: 100, windowSeconds: 60, now: c.now });
    w.add(['a']);
    c.advance(30);
    w.add(['b']);
    c.advance(29);
    expect([w.has('a'), w.has('b')]).toEqual([true, true]);
    c.advance(1);
    expect([w.has('a'), w.has('b')]).toEqual([false, true]);
    expect(w.size).toBe(1);
    c.advance(30);
    expect(w.has('b')).toBe(false);
    expect(w.size).toBe(0);
    w.add(['a']);
    expect(w.has('a')).toBe(true);
  });

  it('does not move an id already remembered: it leaves when it would have', () => {
    const c = clock();
    const w = new IdWindow({ maxIds: 100, windowSeconds: 60, now: c.now });
    w.add(['a']);
    c.advance(40);
    w.add(['a', 'b']);
    c.advance(20);
    expect([w.has('a'), w.has('b')]).toEqual([false, true]);
  });

  it('holds exactly the newest max_ids ids after many evictions, across emptying and refilling', () => {
    const w = new IdWindow({ maxIds: 1000, windowSeconds: 3600 });
    for (let i = 0; i < 200_000; i += 100) w.add(Array.from({ length: 100 }, (_, j) => `id-${i + j}`));
    expect(w.size).toBe(1000);
    expect(w.has('id-198999')).toBe(false);
    expect(w.has('id-199000')).toBe(true);
    expect(w.has('id-199999')).toBe(true);

    const c = clock();
    const v = new IdWindow({ maxIds: 2, windowSeconds: 10, now: c.now });
    for (let round = 0; round < 5; round++) {
      v.add([`x${round}`, `y${round}`, `z${round}`]);
      expect([v.has(`x${round}`), v.has(`y${round}`), v.has(`z${round}`)]).toEqual([false, true, true]);
      c.advance(10);
      expect(v.size).toBe(0);
      expect(v.has(`z${round}`)).toBe(false);
    }
  });

  it('remembers nothing when max_ids or window_seconds is 0', () => {
    for (const opts of [{ maxIds: 0, windowSeconds: 60 }, { maxIds: 10, windowSeconds: 0 }]) {
      const w = new IdWindow(opts);
      w.add(['a']);
      expect(w.enabled).toBe(false);
      expect(w.has('a')).toBe(false);
      expect(w.size).toBe(0);
    }
  });
});
