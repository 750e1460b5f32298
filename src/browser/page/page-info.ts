/**
 * Page attributes added to every log: `url.full` (redacted, recomputed only when the address changes: SPAs
 * change it, log calls mostly do not) and `user_agent.original`; `session.id` (and `session.previous_id`
 * after a roll-over) by the session's `stamp`, when the record is queued (initialize.ts: after the session is read).
 */
import type { Attributes } from '../../shared/model.js';
import { redactUrl } from './url.js';

/**
 * Query parameter names whose values are replaced: any name containing one of these words. Broader than
 * the shared secret-key list on purpose (a URL's `code`, `sig` or `ticket` is a credential), and a regex
 * rather than the shared key matcher to keep the lite build small; the ingest redacts again.
 */
const SECRET_PARAM = /pass|pwd|secret|token|auth|key|sig|session|sid|code|jwt|otp|ticket|cookie|credential|card/i;

export interface PageInfo {
  /** Adds url.full (`u`: the address when the log call was made) and user_agent.original, keeping values the caller set. */
  annotate(attributes: Attributes, u?: string): void;
  url(): string | undefined;
}

/**
 * `doc`: the page's document. Its `URL` is the page's address (pushState, replaceState and fragment changes update
 * it) at 0.08 µs a read in Chromium, where location.href builds its string every time: 1.1-1.3 µs, most of a log
 * call's own cost (logger.info in a page probe: 1.50-2.00 -> 1.15-1.35 µs lite, 2.55-3.50 -> 1.75-1.95 full;
 * `node bench/run.mjs --only=browser`: lite 1.25 µs, 0.93x sdk-logs' in the same run).
 */
export function createPageInfo(doc: { URL?: string } | undefined, userAgent: string | undefined): PageInfo {
  const isSecret = (name: string): boolean => SECRET_PARAM.test(name);
  let lastHref = '';
  let lastUrl: string | undefined;
  const url = (): string | undefined => {
    const href = doc && doc.URL;
    if (href === undefined) return undefined;
    if (href !== lastHref) {
      lastHref = href;
      lastUrl = redactUrl(href, isSecret);
    }
    return lastUrl;
  };
  return {
    url,
    annotate(a, u = url()) {
      if (u !== undefined && a['url.full'] === undefined) a['url.full'] = u;
      if (userAgent !== undefined && a['user_agent.original'] === undefined) a['user_agent.original'] = userAgent;
    },
  };
}
