import { promises as fsp } from 'node:fs';
import type { Client, ClientOptions } from '@elastic/elasticsearch';
import { errorMessage } from '../../../shared/result.js';
import type { ResolvedElasticsearchConfig } from './config.js';

/**
 * Creates the `@elastic/elasticsearch` client from the configuration. The package is imported here,
 * dynamically, so applications that never configure Elasticsearch need not install it.
 */
export async function createClient(cfg: ResolvedElasticsearchConfig): Promise<Client> {
  const options = await clientOptions(cfg);
  let mod: typeof import('@elastic/elasticsearch');
  try {
    mod = await import('@elastic/elasticsearch');
  } catch (err) {
    throw new Error(
      `elasticsearch backend: the @elastic/elasticsearch package is not installed (npm install @elastic/elasticsearch@8): ${errorMessage(err)}`,
    );
  }
  try {
    return new mod.Client(options);
  } catch (err) {
    throw new Error(`elasticsearch backend: invalid client configuration (check logger.backends[i].config.hosts): ${errorMessage(err)}`);
  }
}

/**
 * The logger's own writes must never be traced: a span per `_bulk` request, exported through the same
 * logger, would write more spans, and so on. The client's built-in OpenTelemetry spans are turned off
 * per request, and `untraced` marks the context so HTTP instrumentations (undici, http) skip our calls.
 */
export const UNTRACED_REQUEST = { openTelemetry: { enabled: false } } as const;

export { untraced } from '../../untraced.js';

/** Which config field to name when the server refuses the credentials. */
export function authField(cfg: ResolvedElasticsearchConfig): string {
  if (cfg.api_key) return 'api_key';
  if (cfg.basic_auth) return 'basic_auth';
  return 'basic_auth or api_key (none is set)';
}

export async function clientOptions(cfg: ResolvedElasticsearchConfig): Promise<ClientOptions> {
  const options: ClientOptions = {
    nodes: cfg.hosts,
    requestTimeout: cfg.timeout * 1000,
    // Backoff between attempts of a batch belongs to the delivery layer's retry wrapper (which reads
    // config.max_retries and retry_delay); client-side retries would multiply with it (3 × 3 attempts)
    // and each waits ~1 s of the client's own backoff. With several hosts one retry goes to another node.
    maxRetries: cfg.hosts.length > 1 ? Math.min(cfg.max_retries, 1) : 0,
    compression: false,
  };
  if (cfg.api_key) options.auth = { apiKey: cfg.api_key };
  else if (cfg.basic_auth) options.auth = { username: cfg.basic_auth[0], password: cfg.basic_auth[1] };
  if (cfg.ca_certs !== undefined || !cfg.verify_certs) {
    options.tls = { rejectUnauthorized: cfg.verify_certs };
    if (cfg.ca_certs !== undefined) options.tls.ca = await readCa(cfg.ca_certs);
  }
  return options;
}

async function readCa(path: string): Promise<string> {
  let pem: string;
  try {
    pem = await fsp.readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`elasticsearch backend: cannot read ca_certs file ${path} (check logger.backends[i].config.ca_certs): ${errorMessage(err)}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`elasticsearch backend: ca_certs file ${path} holds no PEM certificate (check logger.backends[i].config.ca_certs)`);
  }
  return pem;
}
