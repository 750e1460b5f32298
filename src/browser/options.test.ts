import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.js';

const base = { endpoint: 'https://ingest.example.com/', serviceName: 'shop-web' };

describe('resolveOptions', () => {
  it('applies the defaults', () => {
    const r = resolveOptions(base);
    expect(r).toMatchObject({
      ok: true,
      options: {
        endpoint: 'https://ingest.example.com',
        logLevel: 'info',
        sampleRate: 1,
        captureErrors: true,
        captureConsole: false,
        maxQueueRecords: 20_000,
        maxQueueBytes: 20 * 1024 * 1024,
        propagateTraceHeaderCorsUrls: [],
      },
    });
  });

  it('resolves a relative endpoint against the page and drops query and fragment', () => {
    const r = resolveOptions({ ...base, endpoint: '/ingest/?x=1#y' }, 'https://shop.example.com/cart');
    expect(r.ok && r.options.endpoint).toBe('https://shop.example.com/ingest');
  });

  it.each([
    [{ serviceName: 'x' }, /endpoint is required/],
    [{ ...base, endpoint: 'ftp://x' }, /endpoint must be an http/],
    [{ ...base, serviceName: '' }, /serviceName is required/],
    [{ ...base, logLevel: 'loud' }, /logLevel must be one of/],
    [{ ...base, sampleRate: 2 }, /sampleRate must be a number from 0 to 1/],
    [{ ...base, beforeSend: 'redact' }, /beforeSend must be a function/],
    [{ ...base, captureConsole: 'yes' }, /captureConsole must be true or false/],
    [{ ...base, propagateTraceHeaderCorsUrls: [42] }, /propagateTraceHeaderCorsUrls/],
    [null, /options must be an object/],
  ])('rejects %j naming the field', (input, message) => {
    const r = resolveOptions(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('accepts a single matcher or a list for propagateTraceHeaderCorsUrls', () => {
    const one = resolveOptions({ ...base, propagateTraceHeaderCorsUrls: /api\.example\.com/ });
    expect(one.ok && one.options.propagateTraceHeaderCorsUrls).toEqual([/api\.example\.com/]);
  });
});
