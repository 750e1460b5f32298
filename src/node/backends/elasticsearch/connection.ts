import type { Client } from '@elastic/elasticsearch';
import type { Diag } from '../../../shared/diag.js';
import { UNTRACED_REQUEST, untraced } from './client.js';
import type { ResolvedElasticsearchConfig } from './config.js';
import { classifyError, type ClassifiedError } from './errors.js';

/** Start-up probes must not hold the logger's start for the full request timeout. */
export const STARTUP_TIMEOUT_MS = 5_000;

/** What every request of the backend shares: the client, the resolved configuration and the diag channel. */
export interface Connection {
  client: Client;
  cfg: ResolvedElasticsearchConfig;
  /** The config field to name when the server refuses the credentials (client.ts authField). */
  auth: string;
  diag: Diag;
}

/** What an error of this connection's client means (errors.ts), naming its hosts and credentials field. */
export function classify(conn: Connection, err: unknown): ClassifiedError {
  return classifyError(err, conn.cfg.hosts, conn.auth);
}

/** `HEAD /` without client retries, within the start-up timeout: true when the server answers. Never rejects. */
export async function pingServer(conn: Connection): Promise<boolean> {
  try {
    await untraced(() =>
      conn.client.transport.request(
        { method: 'HEAD', path: '/' },
        { requestTimeout: Math.min(STARTUP_TIMEOUT_MS, conn.cfg.timeout * 1000), maxRetries: 0, ...UNTRACED_REQUEST },
      ),
    );
    return true;
  } catch (err) {
    const c = classify(conn, err);
    // Any definite answer but overload means the server is up: 405 comes from builds without the
    // rest-root module (no `GET /`, as the integ-test-zip distribution), 401/403 are reported by writes.
    if (c.kind === 'refused' || c.kind === 'auth') return true;
    conn.diag.debug(c.message);
    return false;
  }
}
