import { describe, it, expect } from 'vitest';
import { compileIndexPattern, matchesWildcard } from './index-name.js';

const at = (iso: string) => Date.parse(iso);

describe('compileIndexPattern', () => {
  it('fills date parts from the UTC time, not the local one', () => {
    const p = compileIndexPattern('logs-isotel-%Y.%m.%d', 'index_pattern');
    expect(p.format(at('2025-07-06T23:59:59.999Z'))).toBe('logs-isotel-2025.07.06');
    expect(p.format(at('2025-07-07T00:00:00.000Z'))).toBe('logs-isotel-2025.07.07');
  });

  it('supports %H %M %y %j and a literal %%', () => {
    const p = compileIndexPattern('x-%y-%j-%H%M-%%', 'index_pattern');
    expect(p.format(at('2024-12-31T05:07:00Z'))).toBe('x-24-366-0507-%');
    expect(p.format(at('2025-01-01T00:00:00Z'))).toBe('x-25-001-0000-%');
  });

  it('derives a wildcard with one * per run of date parts', () => {
    expect(compileIndexPattern('logs-isotel-%Y.%m.%d', 'index_pattern').wildcard).toBe('logs-isotel-*.*.*');
    expect(compileIndexPattern('app-%Y%m%d', 'index_pattern').wildcard).toBe('app-*');
    expect(compileIndexPattern('static', 'index_pattern').wildcard).toBe('static');
  });

  it.each([
    ['Logs-%Y', 'lowercase'],
    ['logs %Y', 'cannot contain " "'],
    ['logs/%Y', 'cannot contain "/"'],
    ['logs*%Y', 'cannot contain "*"'],
    ['logs:%Y', 'cannot contain ":"'],
    ['_logs-%Y', 'cannot start'],
    ['logs-%Q', 'unsupported directive "%Q"'],
    ['logs-%', 'unsupported directive'],
    ['', 'non-empty'],
  ])('refuses %j naming the field (%s)', (pattern, why) => {
    expect(() => compileIndexPattern(pattern, 'index_pattern')).toThrow(/invalid index_pattern/);
    expect(() => compileIndexPattern(pattern, 'index_pattern')).toThrow(why);
  });

  it('refuses names longer than 255 bytes', () => {
    expect(() => compileIndexPattern(`${'é'.repeat(130)}-%Y`, 'span_index_pattern')).toThrow(/span_index_pattern.*255 bytes/);
  });
});

describe('matchesWildcard', () => {
  it('treats * as any run and everything else literally', () => {
    expect(matchesWildcard('logs-*.*.*', 'logs-2025.07.06')).toBe(true);
    expect(matchesWildcard('logs-*.*.*', 'logs-2025-07-06')).toBe(false);
    expect(matchesWildcard('app-*', 'app-spans-2025')).toBe(true);
  });
});
