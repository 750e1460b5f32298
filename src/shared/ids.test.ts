import { describe, it, expect } from 'vitest';
import { createRecordIdGenerator, newSpanId, newTraceId } from './ids.js';

describe('ids', () => {
  it('makes 32-hex trace ids and 16-hex span ids', () => {
    for (let i = 0; i < 100; i++) {
      expect(newTraceId()).toMatch(/^[0-9a-f]{32}$/);
      expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('makes record ids that are unique and sort by creation time', () => {
    const gen = createRecordIdGenerator();
    const ids: string[] = [];
    let t = 1_751_798_096_000;
    for (let i = 0; i < 100_000; i++) {
      if (i % 1000 === 0) t += 1;
      ids.push(gen(t));
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^[0-9A-HJKMNP-TV-Z]{24}$/);
  });

  it('stays increasing when the clock goes backwards', () => {
    const gen = createRecordIdGenerator();
    const a = gen(2_000_000_000_000);
    const b = gen(1_000_000_000_000);
    expect(b > a).toBe(true);
  });

  it('gives two generators (processes) different ids in the same millisecond', () => {
    const a = createRecordIdGenerator();
    const b = createRecordIdGenerator();
    expect(a(5)).not.toBe(b(5));
  });

  it('never repeats a record id in a tight loop, on the real clock or on a frozen one', () => {
    const gen = createRecordIdGenerator();
    const real = Array.from({ length: 200_000 }, () => gen());
    expect(new Set(real).size).toBe(real.length);
    const frozen = createRecordIdGenerator();
    const same = Array.from({ length: 200_000 }, () => frozen(1_751_798_096_123.4));
    expect(new Set(same).size).toBe(same.length);
  });
});
