import { describe, expect, it } from 'vitest';
import { quietDiag } from '../../testing/fakes.js';
import { httpSpanNamer, pathTemplate } from './span-name.js';

describe('HTTP client span names', () => {
  it('collapses numeric, UUID and long hex path segments to :id, and nothing else', () => {
    expect(pathTemplate('/api/items/42')).toBe('/api/items/:id');
    expect(pathTemplate('/api/users/3F2504E0-4F89-11D3-9A0C-0305E82C3301/orders/7')).toBe('/api/users/:id/orders/:id');
    expect(pathTemplate('/objects/507f1f77bcf86cd799439011')).toBe('/objects/:id');
    expect(pathTemplate('/v1/cafe/deadbeef/2fa')).toBe('/v1/cafe/deadbeef/2fa');
    expect(pathTemplate('/api/items/')).toBe('/api/items/');
    expect(pathTemplate('')).toBe('/');
  });

  it('names a span {method} {template}, HTTP for an unknown method, without query or host', () => {
    const name = httpSpanNamer(undefined, quietDiag());
    expect(name('GET', new URL('https://api.example.com/api/items/17?expand=1#x'))).toEqual({ name: 'GET /api/items/:id', template: '/api/items/:id' });
    expect(name('_OTHER', new URL('https://shop.example.com/'))).toEqual({ name: 'HTTP /', template: '/' });
  });

  it("lets the app's hook name the span; a hook that throws or returns nothing leaves the default", () => {
    const diag = quietDiag();
    const seen: unknown[] = [];
    const custom = httpSpanNamer((r) => (seen.push(r), r.url.includes('graphql') ? `${r.method} graphql` : undefined), diag);
    expect(custom('POST', new URL('https://x.example/graphql?op=Cart')).name).toBe('POST graphql');
    expect(custom('GET', new URL('https://x.example/a/1')).name).toBe('GET /a/:id');
    expect(seen[0]).toEqual({ method: 'POST', url: 'https://x.example/graphql?op=Cart', template: '/graphql' });
    const throwing = httpSpanNamer(() => {
      throw new Error('app bug');
    }, diag);
    expect(throwing('GET', new URL('https://x.example/b/2')).name).toBe('GET /b/:id');
    expect(diag.messages).toContain('warn: B25'); // httpSpanName threw
  });
});
