import type { Pool, PoolClient } from 'pg';
import type { Diag } from '../../../shared/diag.js';
import { errorFacts } from './errors.js';

/** Runs `fn` on a pooled connection; a connection whose work failed is destroyed, not returned to the pool. */
export async function withClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failed = false;
  try {
    return await fn(client);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    client.release(failed);
  }
}

/** `SELECT 1` within `timeoutMs` (the timer is unref'd and cleared): the backend's liveness probe. Never rejects. */
export async function pingPool(pool: Pool, timeoutMs: number, diag: Diag): Promise<boolean> {
  const probe = pool.query('SELECT 1');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('ping timed out')), timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([probe, timeout]);
    return true;
  } catch (err) {
    probe.catch(() => undefined); // a late failure of the abandoned probe is already reported here
    diag.debug(`postgres backend: ping failed: ${errorFacts(err).message}`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}
