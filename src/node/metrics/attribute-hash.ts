import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

type Hash = (attributes: Readonly<Record<string, unknown>>) => string;

interface Node {
  /** attribute name → attribute value → the node of the attribute sets that go on past it (made on first use) */
  next: Map<string, Map<unknown, Node>> | undefined;
  /** the hash of the attribute set that ends here, once computed */
  hash: string | undefined;
}

/**
 * Nodes the trie holds at most (4.8-5.2 MB of heap with 8,142 sets of 3 attributes: bench/metrics/attribute-hash.mts);
 * past that it starts anew, so it follows the sets in use now.
 */
export const MAX_NODES = 16_384;
/** Calls that go straight to `hash` after a trie filled up with sets seen once (see memoizedHash). */
const BYPASS_CALLS = 64 * MAX_NODES;

/**
 * `hash`, memoized: the same string for the same attribute set, looked up in a trie of the set's names (in
 * sorted order) and values instead of built again. Any attribute object with the same names and values finds
 * the same string, whether the app passes one object each time or builds a fresh one per call; a value that
 * is an object or array (an array attribute) is hashed by `hash` itself each time. Sets that are new on almost
 * every call (a user id as an attribute) cost 3x more to remember than to hash (2.7 vs 0.8 µs): when the trie
 * fills up before its sets were found again as often as it holds nodes, the next `bypassCalls` calls skip it, and
 * such sets cost what `hash` costs, within the machine's noise (bench/metrics/attribute-hash.mts).
 */
export function memoizedHash(hash: Hash, maxNodes = MAX_NODES, bypassCalls = BYPASS_CALLS): Hash & { readonly nodes: number; readonly bypassing: boolean } {
  let root: Node = { next: undefined, hash: undefined };
  let nodes = 0;
  let hits = 0;
  let bypass = 0;
  const memo = (attributes: Readonly<Record<string, unknown>>): string => {
    if (bypass > 0) {
      bypass--;
      return hash(attributes);
    }
    const keys = Object.keys(attributes);
    const n = keys.length;
    if (n === 0) return hash(attributes);
    // Insertion sort, the order of keys.sort() (UTF-16 code units): a handful of keys, where sort() costs more.
    for (let i = 1; i < n; i++) {
      const k = keys[i];
      let j = i - 1;
      for (; j >= 0 && keys[j] > k; j--) keys[j + 1] = keys[j];
      keys[j + 1] = k;
    }
    let node = root;
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      const v = attributes[k];
      if (typeof v === 'object' && v !== null) return hash(attributes);
      let byValue = node.next?.get(k);
      let next = byValue?.get(v);
      if (next === undefined) {
        if (nodes >= maxNodes) {
          if (hits < nodes) bypass = bypassCalls;
          root = { next: undefined, hash: undefined };
          nodes = hits = 0;
          return hash(attributes);
        }
        if (byValue === undefined) (node.next ??= new Map()).set(k, (byValue = new Map()));
        byValue.set(v, (next = { next: undefined, hash: undefined }));
        nodes++;
      }
      node = next;
    }
    if (node.hash !== undefined) {
      hits++;
      return node.hash;
    }
    return (node.hash = hash(attributes));
  };
  Object.defineProperty(memo, 'nodes', { get: () => nodes });
  Object.defineProperty(memo, 'bypassing', { get: () => bypass > 0 });
  return memo as Hash & { readonly nodes: number; readonly bypassing: boolean };
}

let installed: Hash | undefined;

/**
 * A memoized key of an attribute set (JSON of its [name, value] pairs sorted by name; '' for none): the memo
 * sdk-metrics uses once speedUpAttributeHashing() installed it (one trie for both), or one of its own.
 */
export function attributeSetKey(): Hash {
  return installed ?? memoizedHash(sortedPairsJson);
}

function sortedPairsJson(attributes: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(attributes).sort();
  return keys.length === 0 ? '' : JSON.stringify(keys.map((k) => [k, attributes[k]]));
}

interface SdkUtils {
  hashAttributes?: Hash & { isotel?: true };
}

/**
 * Speeds up `@opentelemetry/sdk-metrics`' hot path: each measurement hashes its attributes to find its series
 * (`hashAttributes`: JSON.stringify of the sorted [name, value] pairs), then looks the new string up. That was
 * 80% of `counter.add` with 3 attributes: 1,015 ns per add vs prom-client's 329 (2-core VM). Its module's
 * export is replaced, once per process, by the memoized form of itself (same strings, so series are the
 * same): 170-180 ns per add, 190-235 per histogram record, with one object per set or a fresh one per call.
 * Only the copy isotel's own import resolves to, and only its CommonJS build (the one Node loads); anything
 * else (a bundle of the ESM build, another version whose internals moved) keeps its own hashing: `false`.
 */
export function speedUpAttributeHashing(): boolean {
  try {
    const base = typeof __filename === 'string' ? pathToFileURL(__filename) : new URL(import.meta.url);
    const require = createRequire(base);
    const entry = require.resolve('@opentelemetry/sdk-metrics');
    if ((require(entry) as { MeterProvider?: unknown }).MeterProvider !== MeterProvider) return false;
    const utils = require(join(dirname(entry), 'utils.js')) as SdkUtils;
    const original = utils.hashAttributes;
    if (typeof original !== 'function') return false;
    if (original.isotel) return true;
    // the memo must give what the original gives, or it stays out
    const probe = { b: 'x', a: 1, c: true };
    if (original(probe) !== '[["a",1],["b","x"],["c",true]]') return false;
    installed = memoizedHash(original);
    utils.hashAttributes = Object.assign(installed, { isotel: true as const });
    return true;
  } catch {
    return false;
  }
}
