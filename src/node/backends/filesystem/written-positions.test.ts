import { describe, it, expect } from 'vitest';
import { WrittenPositions, addInterval, inIntervals } from './written-positions.js';

describe('WrittenPositions', () => {
  it('merges touching and overlapping intervals', () => {
    const l: Array<[number, number]> = [];
    addInterval(l, 5, 5);
    addInterval(l, 1, 2);
    addInterval(l, 3, 4);
    addInterval(l, 8, 9);
    expect(l).toEqual([[1, 5], [8, 9]]);
    addInterval(l, 6, 7);
    expect(l).toEqual([[1, 9]]);
    expect(inIntervals(l, 9)).toBe(true);
    expect(inIntervals(l, 10)).toBe(false);
  });

  it('counts a message whole once each of its records is in, in any order', () => {
    const w = new WrittenPositions();
    w.add(7, 2, 3);
    w.add(7, 0, 3);
    expect(w.has(7, 1)).toBe(false);
    w.add(7, 1, 3);
    expect(w.toJSON()).toEqual({ done: [[7, 7]], part: [] });
    w.add(8, 0, 1);
    expect(w.toJSON().done).toEqual([[7, 8]]);
    expect(WrittenPositions.from(JSON.parse(JSON.stringify(w.toJSON()))).has(8, 0)).toBe(true);
  });

  it('forgets the lowest entries past its bound (a duplicate then, never a loss)', () => {
    const w = new WrittenPositions();
    for (let o = 0; o < 10; o += 2) w.add(o, 0, 1); // gaps: 5 intervals
    w.add(20, 0, 2);
    expect(w.prune(3)).toBe(3);
    expect(w.has(0, 0)).toBe(false);
    expect(w.has(8, 0)).toBe(true);
    expect(w.has(20, 0)).toBe(true);
  });
});
