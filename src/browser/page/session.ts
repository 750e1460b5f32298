/** `session.id`: random per tab session, kept in sessionStorage so reloads of the tab keep it. */
import type { Diag } from '../../shared/diag.js';

export const SESSION_KEY = 'isotel.session.id';

export function tabSessionId(storage: () => Pick<Storage, 'getItem' | 'setItem'> | undefined, newId: () => string, diag: Diag): string {
  try {
    const s = storage();
    const existing = s?.getItem(SESSION_KEY);
    if (existing && /^[0-9a-f]{32}$/.test(existing)) return existing;
    const id = newId();
    s?.setItem(SESSION_KEY, id);
    return id;
  } catch (err) {
    // sessionStorage blocked (sandboxed iframe, storage disabled): one id for this page only.
    diag.debug('sessionStorage unavailable', err);
    return newId();
  }
}
