import { describe, expect, it } from 'vitest';
import { criticalPath } from './critical-path.js';

const s = (spanID: string, parentID: string | undefined, startTime: number, duration: number) => ({ spanID, parentID, startTime, duration });

describe('criticalPath', () => {
  it('follows, from the root, the child that ends last', () => {
    const spans = [s('root', undefined, 0, 100), s('a', 'root', 0, 60), s('b', 'root', 10, 80), s('b1', 'b', 10, 20), s('b2', 'b', 40, 45), s('a1', 'a', 0, 59)];
    expect(criticalPath(spans, 'root')).toEqual(['root', 'b', 'b2']);
  });

  it('is the root alone when it has no children', () => {
    expect(criticalPath([s('root', undefined, 0, 5)], 'root')).toEqual(['root']);
  });

  it('breaks a tie of end times by the later start, then the lower span id, whatever the input order', () => {
    const spans = [s('root', undefined, 0, 100), s('x', 'root', 0, 50), s('y', 'root', 20, 30), s('z', 'root', 20, 30)];
    expect(criticalPath(spans, 'root')).toEqual(['root', 'y']);
    expect(criticalPath([...spans].reverse(), 'root')).toEqual(['root', 'y']);
  });

  it('stops at a cycle instead of looping', () => {
    const spans = [s('a', 'b', 0, 10), s('b', 'a', 0, 10)];
    expect(criticalPath(spans, 'a')).toEqual(['a', 'b']);
  });
});
