/**
 * The page URL as recorded (`url.full`): query values of secret-looking parameters replaced, the fragment
 * (often an OAuth token) and any user:password dropped. Done on the string so other parameters keep their
 * exact encoding.
 */
/** True for a parameter name whose value must not be recorded. */
export type KeyMatcher = (name: string) => boolean;

export const REDACTED = '[REDACTED]';

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s; // malformed percent-encoding: match on the raw text
  }
}

export function redactUrl(href: string, isSecret: KeyMatcher): string {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return href.split('#')[0];
  }
  url.hash = '';
  url.username = '';
  url.password = '';
  if (url.search.length > 1) {
    url.search = url.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const name = eq < 0 ? pair : pair.slice(0, eq);
        return eq >= 0 && isSecret(decode(name)) ? `${name}=${REDACTED}` : pair;
      })
      .join('&');
  }
  return url.href;
}
