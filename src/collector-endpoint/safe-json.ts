/**
 * What every response of the ingest carries so that no stored value can run as script in a browser that
 * opens it: a Content-Security-Policy that forbids inline script (and everything but same-origin loads),
 * `nosniff` (a JSON body is never sniffed as HTML), and JSON whose `<`, `>` and `&` are written as \u003c,
 * \u003e and \u0026 (still the same JSON; a body sniffed or pasted as HTML holds no tag). U+2028/U+2029 too,
 * for the same reason in script contexts.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
});

const UNSAFE = /[<>&\u2028\u2029]/g;
const ESCAPES: Readonly<Record<string, string>> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** JSON text with those characters escaped. They occur only inside strings, where the escape means the same. */
export function escapeJson(json: string): string {
  return json.replace(UNSAFE, (c) => ESCAPES[c]);
}
