import { describe, it, expect } from 'vitest';
import { classifyError, displayHost } from './errors.js';

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, ...extra });

describe('classifyError', () => {
  const hosts = ['http://127.0.0.1:9999'];

  it('says which host cannot be reached and which field to check', () => {
    const c = classifyError(named('ConnectionError'), hosts, 'basic_auth');
    expect(c.kind).toBe('unreachable');
    expect(c.message).toMatch(/^elasticsearch backend: cannot reach http:\/\/127\.0\.0\.1:9999 \(check logger\.backends\[i\]\.config\.hosts\)/);
  });

  it('names the credential field on 401 and 403', () => {
    const body = { error: { type: 'security_exception', reason: 'unable to authenticate user [elastic]' } };
    const c = classifyError(named('ResponseError', { statusCode: 401, body }), hosts, 'basic_auth');
    expect(c.kind).toBe('auth');
    expect(c.message).toMatch(/rejected the credentials \(check logger\.backends\[i\]\.config\.basic_auth\): security_exception/);
    expect(classifyError(named('ResponseError', { statusCode: 403, body }), hosts, 'api_key').message).toMatch(/config\.api_key/);
  });

  it('tells transient statuses from refusals', () => {
    expect(classifyError(named('ResponseError', { statusCode: 503 }), hosts, 'x').kind).toBe('transient');
    expect(classifyError(named('ResponseError', { statusCode: 429 }), hosts, 'x').kind).toBe('transient');
    expect(classifyError(named('ResponseError', { statusCode: 400 }), hosts, 'x').kind).toBe('refused');
    expect(classifyError(named('TimeoutError'), hosts, 'x').kind).toBe('unreachable');
    expect(classifyError(named('ProductNotSupportedError'), hosts, 'x').kind).toBe('not-elasticsearch');
  });
});

describe('displayHost', () => {
  it('never shows credentials embedded in a host URL', () => {
    expect(displayHost('https://elastic:secret@es.local:9200')).toBe('https://es.local:9200');
  });
});
