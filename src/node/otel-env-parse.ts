/**
 * Value parsers for OTEL_* variables, by the types of the OpenTelemetry environment variable specification
 * (configuration/sdk-environment-variables.md and common.md): booleans, non-negative integers, enums
 * (case-insensitive), the sampler ratio, and `key=value,...` lists (W3C Baggage form, percent-decoded).
 * Each returns the value or a problem sentence that names what is wrong; none throws. The caller names the
 * variable and decides what to do (the rule: a malformed value is reported and the variable ignored).
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (problem: string): Parsed<never> => ({ ok: false, problem });

/** Only the case-insensitive "true" is true and "false" false (the spec allows no yes/1/on). */
export function parseBoolean(text: string): Parsed<boolean> {
  const t = text.trim().toLowerCase();
  if (t === 'true') return ok(true);
  if (t === 'false') return ok(false);
  return bad('expected true or false');
}

const INT_MAX = 2 ** 31 - 1;

/** A decimal integer in [min, 2³¹ − 1]; no sign, fraction, exponent or hex. */
export function parseInteger(text: string, min = 0): Parsed<number> {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return bad('expected a non-negative whole number');
  const n = Number(t);
  if (n > INT_MAX) return bad(`expected at most ${INT_MAX}`);
  if (n < min) return bad(`isotel needs at least ${min}`);
  return ok(n);
}

/** A probability in [0, 1] written as a decimal ("0.25", "1", ".5"). */
export function parseRatio(text: string): Parsed<number> {
  const t = text.trim();
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(t)) return bad('expected a number between 0 and 1');
  const n = Number(t);
  if (!(n >= 0 && n <= 1)) return bad('expected a number between 0 and 1');
  return ok(n);
}

/** One of `known`, compared case-insensitively (the spec: enum values SHOULD be read case-insensitively). */
export function parseEnum<T extends string>(text: string, known: readonly T[]): Parsed<T> {
  const t = text.trim().toLowerCase();
  const hit = known.find((k) => k === t);
  return hit === undefined ? bad(`expected one of ${known.join(', ')}`) : ok(hit);
}

/**
 * `key1=value1,key2=value2`: members split at `,`, each at its first `=`, keys and values trimmed and
 * percent-decoded (a `,` or `=` inside either must be written %2C / %3D). Empty members are skipped. Any
 * error discards the whole list (the resource SDK spec: "the entire environment variable value SHOULD be
 * discarded"). `describeKeyOnly` keeps values out of the problem text (header values are secrets).
 */
export function parseKeyValueList(text: string, describeKeyOnly = false): Parsed<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  const members = text.split(',');
  for (let i = 0; i < members.length; i++) {
    const member = members[i].trim();
    if (member === '') continue;
    const eq = member.indexOf('=');
    const shown = describeKeyOnly ? `entry ${i + 1}` : `"${member}"`;
    if (eq < 0) return bad(`${shown} has no "=" (expected key=value, comma-separated)`);
    const key = decode(member.slice(0, eq).trim());
    const value = decode(member.slice(eq + 1).trim());
    if (key === undefined || value === undefined) return bad(`${shown} has a malformed percent-escape (write % as %25)`);
    if (key.trim() === '') return bad(`${shown} has an empty key`);
    out.push([key.trim(), value.trim()]);
  }
  return ok(out);
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** An RFC 9110 token (a header field name). */
export function isHttpToken(s: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(s);
}

/** An absolute http(s) URL with a host: what the OTLP exporter spec allows for OTEL_EXPORTER_OTLP_ENDPOINT. */
export function parseHttpUrl(text: string): Parsed<string> {
  const t = text.trim();
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    return bad('expected an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return bad(`expected an http:// or https:// URL, got scheme ${url.protocol}`);
  if (url.hostname === '') return bad('the URL has no host');
  if (url.username || url.password) return bad('credentials in the URL are not accepted (use OTEL_EXPORTER_OTLP_HEADERS)');
  return ok(t);
}
