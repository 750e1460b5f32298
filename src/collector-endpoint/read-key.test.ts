import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createReadKeyCheck, isReadRoute } from './read-key.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('the read key', () => {
  const ok = createReadKeyCheck('r3ad-key');

  it('accepts the key as a Bearer token or in x-isotel-read-key', () => {
    expect(ok(req({ authorization: 'Bearer r3ad-key' }))).toBe(true);
    expect(ok(req({ authorization: 'bearer  r3ad-key' }))).toBe(true);
    expect(ok(req({ 'x-isotel-read-key': 'r3ad-key' }))).toBe(true);
  });

  it('refuses no key, a wrong key, another scheme, and the ingest key header', () => {
    expect(ok(req({}))).toBe(false);
    expect(ok(req({ authorization: 'Bearer r3ad-ke' }))).toBe(false);
    expect(ok(req({ authorization: 'Basic r3ad-key' }))).toBe(false);
    expect(ok(req({ authorization: 'Bearer' }))).toBe(false);
    expect(ok(req({ 'x-isotel-read-key': '' }))).toBe(false);
    expect(ok(req({ 'x-isotel-ingest-key': 'r3ad-key' }))).toBe(false);
  });

  it('lets everything through when no key is configured', () => {
    expect(createReadKeyCheck(undefined)(req({}))).toBe(true);
  });

  it('knows the read routes', () => {
    expect(isReadRoute('GET', '/api/logs')).toBe(true);
    expect(isReadRoute('POST', '/api/traces')).toBe(true);
    expect(isReadRoute('GET', '/v1/traces')).toBe(true);
    expect(isReadRoute('GET', '/v1/traces/abc')).toBe(true);
    expect(isReadRoute('POST', '/v1/traces')).toBe(false);
    expect(isReadRoute('POST', '/v1/logs')).toBe(false);
    expect(isReadRoute('GET', '/health')).toBe(false);
  });
});
