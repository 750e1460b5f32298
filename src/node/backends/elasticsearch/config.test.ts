import { describe, it, expect } from 'vitest';
import { resolveConfig, ELASTICSEARCH_DEFAULTS } from './config.js';
import { clientOptions } from './client.js';

describe('resolveConfig', () => {
  it('applies the defaults', () => {
    expect(resolveConfig({ hosts: ['http://localhost:9200'] })).toEqual({
      hosts: ['http://localhost:9200'],
      ...ELASTICSEARCH_DEFAULTS,
      metric_data_stream: 'metrics-isotel-default',
      basic_auth: undefined,
      api_key: undefined,
      ca_certs: undefined,
    });
  });

  it.each([
    [{}, 'hosts'],
    [{ hosts: [] }, 'hosts'],
    [{ hosts: ['localhost:9200'] }, 'hosts'],
    [{ hosts: ['http://h:9200'], basic_auth: ['only-user'] }, 'basic_auth'],
    [{ hosts: ['http://h:9200'], timeout: 'slow' }, 'timeout'],
    [{ hosts: ['http://h:9200'], max_retries: -1 }, 'max_retries'],
    [{ hosts: ['http://h:9200'], verify_certs: 'yes' }, 'verify_certs'],
    [{ hosts: ['http://h:9200'], template_name: 'Has Spaces' }, 'template_name'],
    [{ hosts: ['http://h:9200'], ca_certs: '' }, 'ca_certs'],
  ])('names the field in the error (%j)', (config, fieldName) => {
    expect(() => resolveConfig(config as never)).toThrow(`config.${fieldName}`);
  });
});

describe('clientOptions', () => {
  it('leaves retries to the delivery layer: none in the client for one host, one (another node) for several', async () => {
    const one = await clientOptions(resolveConfig({ hosts: ['http://h:9200'], timeout: 2.5, max_retries: 7 }));
    expect(one.maxRetries).toBe(0);
    expect(one.requestTimeout).toBe(2500);
    const two = await clientOptions(resolveConfig({ hosts: ['http://a:9200', 'http://b:9200'], max_retries: 7 }));
    expect(two.maxRetries).toBe(1);
  });

  it('fails naming ca_certs when the file cannot be read', async () => {
    await expect(clientOptions(resolveConfig({ hosts: ['https://h:9200'], ca_certs: '/nonexistent/ca.pem' }))).rejects.toThrow(
      /cannot read ca_certs file \/nonexistent\/ca\.pem \(check logger\.backends\[i\]\.config\.ca_certs\)/,
    );
  });

  it('fails naming ca_certs when the file holds no certificate', async () => {
    await expect(clientOptions(resolveConfig({ hosts: ['https://h:9200'], ca_certs: import.meta.filename }))).rejects.toThrow(/no PEM certificate.*ca_certs/);
  });

  it('passes credentials as the client expects them', async () => {
    const basic = await clientOptions(resolveConfig({ hosts: ['http://h:9200'], basic_auth: ['elastic', 'pw'] }));
    expect(basic.auth).toEqual({ username: 'elastic', password: 'pw' });
    const key = await clientOptions(resolveConfig({ hosts: ['http://h:9200'], api_key: 'abc==' }));
    expect(key.auth).toEqual({ apiKey: 'abc==' });
    const insecure = await clientOptions(resolveConfig({ hosts: ['https://h:9200'], verify_certs: false }));
    expect(insecure.tls).toEqual({ rejectUnauthorized: false });
  });
});
