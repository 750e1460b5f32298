/**
 * Which attribute keys name a secret. Keys are split into lowercase word parts (`X-Api-Key` → x, api, key;
 * `userPassword` → user, password) and match when a secret's parts occur in them in order, so
 * `db_password`, `http.request.header.authorization` and `refresh_token` all match while `author`,
 * `tokens` and `keyboard` do not. Isomorphic: no Node imports.
 */

export const DEFAULT_SECRET_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'api_key',
  'apikey',
  'x-api-key',
  'authorization',
  'cookie',
  'set-cookie',
  'private_key',
  'credit_card',
  'card_number',
]);

/**
 * A last part that only describes the secret (`token_type`, `password_length`, `gen_ai.token.type`,
 * `secret_name`) does not make the value secret: these carry no credential and are common in telemetry.
 */
const DESCRIPTIVE_SUFFIXES = new Set([
  'type',
  'count',
  'length',
  'len',
  'size',
  'ttl',
  'expires',
  'expiry',
  'expiration',
  'enabled',
  'present',
  'provided',
  'required',
  'valid',
  'name',
]);

/** Word parts of a key: camelCase and any non-alphanumeric run split words; lowercase. */
export function keyParts(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((p) => p.length > 0);
}

export type KeyMatcher = (key: string) => boolean;

/** Most applications use a few hundred distinct keys; past this many the cache is cleared, never grown. */
const CACHE_LIMIT = 4096;

export function createKeyMatcher(secretKeys: readonly string[]): KeyMatcher {
  const sequences: string[][] = [];
  // Single words (and the joined form of multi-word secrets) also match as the end of a compound part:
  // `csrftoken`, `dbpassword`, `privatekey`. Only words of 5+ letters, so `pwd` does not match `cwd`-like parts.
  const compact = new Set<string>();
  for (const k of secretKeys) {
    const parts = keyParts(k);
    if (parts.length === 0) continue;
    sequences.push(parts);
    const joined = parts.join('');
    if (joined.length >= 5) compact.add(joined);
  }
  if (sequences.length === 0) return () => false;
  const cache = new Map<string, boolean>();

  const compute = (key: string): boolean => {
    const parts = keyParts(key);
    for (let i = 0; i < parts.length; i++) {
      const end = matchAt(parts, i, sequences, compact);
      if (end < 0) continue;
      // The match is the whole key, or is followed by something other than a mere descriptor.
      if (end === parts.length || !(end === parts.length - 1 && DESCRIPTIVE_SUFFIXES.has(parts[end]))) return true;
    }
    return false;
  };

  return (key) => {
    let hit = cache.get(key);
    if (hit === undefined) {
      hit = compute(key);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, hit);
    }
    return hit;
  };
}

/** The index just past a secret starting at parts[i], or -1. */
function matchAt(parts: string[], i: number, sequences: string[][], compact: Set<string>): number {
  let best = -1;
  for (const seq of sequences) {
    if (i + seq.length > parts.length) continue;
    let ok = true;
    for (let j = 0; j < seq.length; j++) {
      if (parts[i + j] !== seq[j]) {
        ok = false;
        break;
      }
    }
    if (ok) best = Math.max(best, i + seq.length);
  }
  if (best < 0) {
    const part = parts[i];
    for (const word of compact) {
      if (part.length > word.length && part.endsWith(word)) return i + 1;
    }
  }
  return best;
}
