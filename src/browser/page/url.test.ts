import { describe, expect, it } from 'vitest';
import { fixedSession } from '../testing/fakes.js';
import { createPageInfo } from './page-info.js';

const info = (URL: string) => createPageInfo({ URL }, undefined).url();

describe('url.full', () => {
  it('redacts secret-looking query values and drops the fragment and credentials', () => {
    expect(info('https://user:pw@shop.example.com/cb?code=abc&state=xyz&access_token=t0k&page=2#id_token=zzz')).toBe(
      'https://shop.example.com/cb?code=[REDACTED]&state=xyz&access_token=[REDACTED]&page=2',
    );
  });

  it('keeps other parameters exactly as encoded', () => {
    expect(info('https://shop.example.com/search?q=a%20b+c&apiKey=123&sort=price')).toBe(
      'https://shop.example.com/search?q=a%20b+c&apiKey=[REDACTED]&sort=price',
    );
  });

  it('follows address changes of a single-page app', () => {
    const doc = { URL: 'https://shop.example.com/a' };
    const page = createPageInfo(doc, 'UA');
    expect(page.url()).toBe('https://shop.example.com/a');
    doc.URL = 'https://shop.example.com/b?password=x';
    const attrs: Record<string, string> = {};
    page.annotate(attrs);
    fixedSession('s').stamp(attrs);
    expect(attrs).toEqual({ 'session.id': 's', 'url.full': 'https://shop.example.com/b?password=[REDACTED]', 'user_agent.original': 'UA' });
  });

  it('has no url.full without a document', () => {
    expect(createPageInfo(undefined, undefined).url()).toBeUndefined();
  });
});
