import { describe, it, expect } from 'vitest';
import { Chunk, CHUNK_BYTES } from './chunks.js';
import { ChunkQueue } from './queue.js';

const chunk = (lines: number, kind: 'logs' | 'spans' = 'logs') => {
  const c = new Chunk(new SharedArrayBuffer(CHUNK_BYTES), kind);
  c.put('x\n'.repeat(lines), lines);
  return c;
};

describe('chunk queue', () => {
  it('gives chunks out in order while the window has room, and always when told to ignore it', () => {
    const q = new ChunkQueue(100 * CHUNK_BYTES, 2 * CHUNK_BYTES);
    const cs = [chunk(1), chunk(2), chunk(3)];
    for (const c of cs) q.settle(c);
    expect(q.next(false)).toBe(cs[0]);
    expect(q.next(false)).toBe(cs[1]);
    expect(q.next(false)).toBeUndefined();
    expect(q.next(true)).toBe(cs[2]);
    expect(q.ack(cs[1].seq)).toBe(cs[1]);
    expect(q.ack(cs[1].seq)).toBeUndefined();
    expect(q.settled).toBe(false);
    q.ack(cs[0].seq);
    q.ack(cs[2].seq);
    expect(q.settled).toBe(true);
  });

  it('drops the oldest waiting chunks beyond maxPendingBytes, never the newest', () => {
    const q = new ChunkQueue(2 * CHUNK_BYTES, CHUNK_BYTES);
    const cs = [chunk(1), chunk(2), chunk(3), chunk(4)];
    expect(q.settle(cs[0])).toEqual([]);
    expect(q.next(false)).toBe(cs[0]); // in flight: counted, never dropped
    expect(q.settle(cs[1])).toEqual([]);
    expect(q.settle(cs[2])).toEqual([cs[1]]);
    expect(q.settle(cs[3])).toEqual([cs[2]]);
    expect(q.clear()).toEqual([cs[0], cs[3]]);
  });

  it('reopens only the newest waiting chunk of the same kind, and puts it back in place', () => {
    const q = new ChunkQueue(100 * CHUNK_BYTES, 0);
    const a = chunk(1);
    const b = chunk(1, 'spans');
    q.settle(a);
    expect(q.reopen('spans')).toBeUndefined();
    q.settle(b);
    expect(q.reopen('logs')).toBeUndefined();
    const again = q.reopen('spans');
    expect(again).toBe(b);
    again!.put('y\n', 1);
    q.settle(again!);
    expect(b.seq).toBe(1);
    expect(q.next(true)).toBe(a);
    expect(q.next(true)).toBe(b);
  });

  it('after a thread died, gives its unacknowledged chunks out again first', () => {
    const q = new ChunkQueue(100 * CHUNK_BYTES, 100 * CHUNK_BYTES);
    const cs = [chunk(1), chunk(2), chunk(3)];
    q.settle(cs[0]);
    q.settle(cs[1]);
    q.next(false);
    q.next(false);
    q.settle(cs[2]);
    q.requeue();
    expect([q.next(false), q.next(false), q.next(false)]).toEqual(cs);
  });
});
