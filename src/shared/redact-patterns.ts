import type { KeyMatcher } from './redact-keys.js';

/**
 * The built-in value patterns: credentials and card numbers that show up inside free text (log messages,
 * URLs, serialized headers). Each is linear-time (no nested quantifiers) and avoids lookbehind, which
 * Safari before 16.4 cannot parse. Isomorphic: no Node imports.
 */
export interface ValuePattern {
  readonly name: string;
  readonly re: RegExp;
  replace(match: string, groups: ReadonlyArray<string | undefined>, replacement: string): string;
}

/**
 * One cheap test before any pattern runs: a string that contains none of these cannot match a built-in
 * pattern, so ordinary messages cost one regex scan and no allocation.
 */
export const BUILTIN_TRIGGER = /bearer\s|basic\s|eyJ|A[KS]IA|:\/\/[^\s@/?#]*@|=|"\s*:|\d{4}[ -]?\d{4}[ -]?\d/i;

export function builtinPatterns(isSecretKey: KeyMatcher): ValuePattern[] {
  return [
    {
      // A JSON Web Token: base64url header and payload that both start with `{"` (eyJ), then a signature.
      name: 'jwt',
      re: /\beyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g,
      replace: (_m, _g, r) => r,
    },
    {
      name: 'bearer',
      re: /\b(bearer)\s+([A-Za-z0-9\-._~+/]+=*)/gi,
      // `Bearer bonds` or `bearer certificates` in prose is not a credential: a token has 8+ characters and
      // a digit, a symbol or mixed case.
      replace: (m, g, r) => (looksLikeToken(g[1] ?? '') ? `${g[0]} ${r}` : m),
    },
    {
      name: 'basic',
      re: /\b(basic)\s+([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/gi,
      // A Basic credential is base64 of `user:password`; `Basic information` does not decode to that.
      replace: (m, g, r) => (decodesToUserPass(g[1] ?? '') ? `${g[0]} ${r}` : m),
    },
    {
      // userinfo in a URL: `https://user:pass@host`, `https://token@host` → `https://[REDACTED]@host`.
      name: 'url-credentials',
      re: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@?#]+@/gi,
      replace: (_m, g, r) => `${g[0]}${r}@`,
    },
    {
      // Query parameters and logfmt pairs named like a secret key: `?token=abc&x=1`, `password=hunter2`.
      name: 'key-value',
      re: /(^|[?&;,\s])([A-Za-z0-9_.-]{1,100})=([^&#\s,;]*)/g,
      replace: (m, g, r) => (g[2] && isSecretKey(g[1] ?? '') ? `${g[0]}${g[1]}=${r}` : m),
    },
    {
      // A string member of serialized JSON named like a secret key: `"password": "hunter2"`.
      name: 'json-member',
      re: /("([^"\\]{1,100})"\s*:\s*")((?:[^"\\]|\\.)*)"/g,
      replace: (m, g, r) => (g[2] && isSecretKey(g[1] ?? '') ? `${g[0]}${r}"` : m),
    },
    {
      name: 'aws-access-key',
      re: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
      replace: (_m, _g, r) => r,
    },
    {
      // 13-19 digits, contiguous or in the 4-4-4-4(-3) / 4-6-5 groups cards are printed in, not part of a
      // longer word, number, decimal, UUID or hyphenated id; redacted only when card-like (see isCardNumber).
      name: 'card-number',
      re: /(^|[^\w.-])(\d{13,19}|\d{4}([ -])\d{4}\3\d{4}\3\d{4}(?:\3\d{3})?|\d{4}([ -])\d{6}\4\d{4,5})(?![\w-]|\.\d)/g,
      replace: replaceCardNumber,
    },
  ];
}

/** The card-number pattern's replacement: the digits go, the character before them stays. */
function replaceCardNumber(m: string, g: ReadonlyArray<string | undefined>, r: string): string {
  const pre = g[0] ?? '';
  const num = g[1] ?? '';
  if (isCardNumber(num.replace(/[ -]/g, ''))) return `${pre}${r}`;
  // `4111 1111 1111 1111 and 555 more`: the optional fifth group was not part of the card.
  const sep = g[2];
  if (sep && num.length > 19) {
    const cut = num.lastIndexOf(sep);
    if (isCardNumber(num.slice(0, cut).replace(/[ -]/g, ''))) return `${pre}${r}${num.slice(cut)}`;
  }
  return m;
}

function looksLikeToken(token: string): boolean {
  return token.length >= 8 && /[0-9\-._~+/=]|[a-z][A-Z]|[A-Z]{2}/.test(token);
}

function decodesToUserPass(b64: string): boolean {
  let decoded: string;
  try {
    decoded = atob(b64);
  } catch {
    return false; // not base64 at all, so not a Basic credential: leave the text alone
  }
  return decoded.indexOf(':') > 0 && /^[\x20-\x7e]+$/.test(decoded);
}

/**
 * Luhn-valid, 13-19 digits, and an issuer prefix that exists: 3 (Amex, Diners, JCB), 4 (Visa),
 * 5 (Mastercard, Maestro), 6 (Discover, UnionPay), 2221-2720 (Mastercard). Millisecond, microsecond and
 * nanosecond epoch timestamps start with 1 and are never redacted.
 */
export function isCardNumber(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19 || !/^\d+$/.test(digits)) return false;
  const first = digits.charCodeAt(0) - 48;
  if (first === 2) {
    const p = Number(digits.slice(0, 4));
    if (p < 2221 || p > 2720) return false;
  } else if (first < 3 || first > 6) {
    return false;
  }
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}
