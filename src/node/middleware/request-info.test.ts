import { describe, it, expect } from 'vitest';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { createRedactor } from '../../shared/redact.js';
import { describeRequest, parseHost, pickCorrelationId, redactQuery, splitUrl } from './request-info.js';

const redactor = createRedactor({ keys: ['sig', 'Signature'] });

describe('request-info', () => {
  it('splits origin-form and absolute-form targets into path and query, dropping the fragment', () => {
    expect(splitUrl('/a/b?x=1&y=2#frag')).toEqual({ path: '/a/b', query: 'x=1&y=2' });
    expect(splitUrl('http://example.com:8080/p?q')).toEqual({ path: '/p', query: 'q' });
    expect(splitUrl('http://example.com')).toEqual({ path: '/', query: '' });
  });

  it('redacts secret-named and secret-looking query values and keeps the rest byte for byte', () => {
    expect(redactQuery('page=2&access%5Ftoken=abc&q=a+b%20c', redactor)).toBe('page=2&access%5Ftoken=[REDACTED]&q=a+b%20c');
    expect(redactQuery('Signature=zzz&flag&sig=1&tokens=3', redactor)).toBe('Signature=[REDACTED]&flag&sig=[REDACTED]&tokens=3');
    expect(redactQuery('bad=%E0%A4%A&password=hunter2', redactor)).toBe('bad=%E0%A4%A&password=[REDACTED]');
    const q = 'page=1&sort=asc';
    expect(redactQuery(q, redactor)).toBe(q);
  });

  it('parses host headers with and without port, IPv6 included', () => {
    expect(parseHost('example.com')).toEqual({ address: 'example.com' });
    expect(parseHost('example.com:8443')).toEqual({ address: 'example.com', port: 8443 });
    expect(parseHost('[::1]:3000')).toEqual({ address: '::1', port: 3000 });
    expect(parseHost('[::1]')).toEqual({ address: '::1' });
    expect(parseHost('host:99999')).toEqual({ address: 'host' });
    expect(parseHost('[::1')).toBeUndefined();
    expect(parseHost(undefined)).toBeUndefined();
  });

  it('records unknown methods as _OTHER with the original, and the default port of the scheme', () => {
    const req = new IncomingMessage(new Socket());
    req.method = 'PURGE';
    req.headers = { host: 'shop.example' };
    const info = describeRequest(req, '/cache', redactor, false);
    expect(info.method).toBe('_OTHER');
    expect(info.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE', 'server.address': 'shop.example', 'server.port': 80 });
  });

  it('keeps a well-formed caller correlation id and replaces one that could not be echoed safely', () => {
    expect(pickCorrelationId({ 'x-request-id': 'req-1' })).toBe('req-1');
    expect(pickCorrelationId({ 'x-correlation-id': 'c-1', 'x-request-id': 'r-1' })).toBe('c-1');
    expect(pickCorrelationId({ 'x-correlation-id': 'a'.repeat(129) })).toMatch(/^[0-9a-f-]{36}$/);
    expect(pickCorrelationId({ 'x-correlation-id': 'line\r\nbreak' })).toMatch(/^[0-9a-f-]{36}$/);
  });
});
