import { describe, it, expect } from 'vitest';
import { IdWindow } from './id-window.js';

/** Which of the ids the window holds now (expire() first: has() answers as of the last one). */
function holds(w: IdWindow, ...ids: string[]): boolean[] {
  w.expire();
  return ids.map((id) => w.has(id));
}

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
    expect(holds(w, 'a', 'b', 'c', 'd', 'e')).toEqual([false, false, true, true, true]);
  });

  it('forgets an id once the window has passed since it was accepted', () => {
    const c = clock();
    const w = new IdWindow({ maxIds: 100, windowSeconds: 60, now: c.now });
    w.add(['a']);
    c.advance(30);
    w.add(['b']);
    c.advance(29);
    expect(holds(w, 'a', 'b')).toEqual([true, true]);
    c.advance(1);
    expect(holds(w, 'a', 'b')).toEqual([false, true]);
    expect(w.size).toBe(1);
    c.advance(30);
    expect(holds(w, 'b')).toEqual([false]);
    expect(w.size).toBe(0);
    w.add(['a']);
    expect(holds(w, 'a')).toEqual([true]);
  });

  it('does not move an id already remembered: it leaves when it would have', () => {
    const c = clock();
    const w = new IdWindow({ maxIds: 100, windowSeconds: 60, now: c.now });
    w.add(['a']);
    c.advance(40);
    w.add(['a', 'b']);
    c.advance(20);
    expect(holds(w, 'a', 'b')).toEqual([false, true]);
  });

  it('holds exactly the newest max_ids ids after many evictions, across emptying and refilling', () => {
    const w = new IdWindow({ maxIds: 1000, windowSeconds: 3600 });
    for (let i = 0; i < 200_000; i += 100) w.add(Array.from({ length: 100 }, (_, j) => `id-${i + j}`));
    expect(w.size).toBe(1000);
    expect(holds(w, 'id-198999', 'id-199000', 'id-199999')).toEqual([false, true, true]);

    const c = clock();
    const v = new IdWindow({ maxIds: 2, windowSeconds: 10, now: c.now });
    for (let round = 0; round < 5; round++) {
      v.add([`x${round}`, `y${round}`, `z${round}`]);
      expect(holds(v, `x${round}`, `y${round}`, `z${round}`)).toEqual([false, true, true]);
      c.advance(10);
      expect(v.size).toBe(0);
      expect(holds(v, `z${round}`)).toEqual([false]);
    }
  });

  it('remembers nothing when max_ids or window_seconds is 0', () => {
    for (const opts of [{ maxIds: 0, windowSeconds: 60 }, { maxIds: 10, windowSeconds: 0 }]) {
      const w = new IdWindow(opts);
      w.add(['a']);
      expect(w.enabled).toBe(false);
      expect(holds(w, 'a')).toEqual([false]);
      expect(w.size).toBe(0);
    }
  });

  it('keeps a flat copy of a rope-built id (as the protobuf reader builds short strings) that still matches it', () => {
    const w = new IdWindow({ maxIds: 10, windowSeconds: 60 });
    let rope = '';
    for (const c of '01JZ3C4V5EABCDEFGH000001') rope += c;
    w.add([rope, 'é-not-latin1-\u20ac']);
    expect(holds(w, '01JZ3C4V5EABCDEFGH000001', 'é-not-latin1-\u20ac')).toEqual([true, true]);
  });
});
