import { describe, expect, it } from 'vitest';
import { formatTagLines, parseTagLines } from './tags.js';

describe('parseTagLines', () => {
  it('reads key=value lines, skipping blank ones and trimming around the keys and values', () => {
    expect(parseTagLines('http.status_code=500\n\n  user.tier = gold \r\n')).toEqual({ ok: true, tags: { 'http.status_code': '500', 'user.tier': 'gold' } });
  });

  it('splits at the first =, so a value may hold =', () => {
    expect(parseTagLines('q=a=b')).toEqual({ ok: true, tags: { q: 'a=b' } });
  });

  it('lets a later line win', () => {
    expect(parseTagLines('k=1\nk=2')).toEqual({ ok: true, tags: { k: '2' } });
  });

  it('refuses a line without a key, naming the line', () => {
    expect(parseTagLines('a=1\nnovalue')).toEqual({ ok: false, error: 'line 2: "novalue" is not key=value' });
    expect(parseTagLines('=x').ok).toBe(false);
  });

  it('gives an empty box no tags, and writes tags back as lines', () => {
    expect(parseTagLines('')).toEqual({ ok: true, tags: {} });
    expect(formatTagLines({ a: '1', b: 'x=y' })).toBe('a=1\nb=x=y');
  });
});
