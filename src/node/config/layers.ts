import { substituteEnv, type Env, type Substituted } from './env.js';
import { ConfigError, describeValue, formatPath, type PathSegment } from './errors.js';

/**
 * Configuration layers: raw (unvalidated) objects in the YAML's shape, merged over the file (or the defaults)
 * before validation, so the schema validates one merged configuration and defaults fill only what no layer
 * set. configureLogger stacks them as: file < OTEL_* environment < the code's `config` (README, "Configuration
 * from the environment"). Mappings merge key by key; arrays and scalars replace.
 */
export interface ConfigLayer {
  /** `{ logger: {...}, ingest: {...} }` (a bare logger section is accepted by toFullConfig). */
  value: unknown;
  /** `$VAR` references in it are substituted (the code's object: yes; the OTEL_* layer: no, values are literal). */
  substitute: boolean;
}

/** `{ logger, ingest, $schema }` as it is, or a bare logger section wrapped as `{ logger }`. */
export function toFullConfig(obj: unknown, source?: string): object {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new ConfigError([{ path: '', message: `expected { logger: {...} } or the logger section itself, got ${describeValue(obj)}` }], source);
  }
  return 'logger' in obj || 'ingest' in obj || '$schema' in obj ? obj : { logger: obj };
}

/**
 * The base (already in full form) with each layer substituted (if it says so) and merged over it, in order.
 * A problem found in a value that a later layer replaces (a `${MISSING}` the code overrides) is dropped.
 */
export function stackLayers(base: Substituted, layers: readonly ConfigLayer[], env: Env): Substituted & { layerPaths: string[] } {
  let value = base.value;
  let issues = [...base.issues];
  let wholeReferences = [...base.wholeReferences];
  const layerPaths: string[] = [];
  for (const layer of layers) {
    const full = toFullConfig(layer.value);
    const sub: Substituted = layer.substitute ? substituteEnv(full, env) : { value: full, issues: [], wholeReferences: new Set() };
    const paths: string[] = [];
    collectLeafPaths(sub.value, [], paths);
    issues = issues.filter((i) => !fromLayer(formatPath(i.segments), paths)).concat(sub.issues);
    wholeReferences = wholeReferences.filter((p) => !fromLayer(p, paths)).concat([...sub.wholeReferences]);
    value = merge(value, sub.value);
    layerPaths.push(...paths);
  }
  return { value, issues, wholeReferences: new Set(wholeReferences), layerPaths };
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function merge(under: unknown, over: unknown): unknown {
  if (!isMapping(under) || !isMapping(over)) return over === undefined ? under : over;
  const out: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const [k, v] of Object.entries(under)) put(k, v);
  for (const [k, v] of Object.entries(over)) put(k, Object.hasOwn(under, k) ? merge(under[k], v) : v);
  return out;
}

/** The formatted path of every value a layer sets (a mapping's keys, recursively; an array is one value). */
function collectLeafPaths(v: unknown, path: PathSegment[], out: string[]): void {
  if (!isMapping(v)) {
    if (path.length > 0) out.push(formatPath(path));
    return;
  }
  for (const [k, item] of Object.entries(v)) collectLeafPaths(item, [...path, k], out);
}

/** True when `path` is at or under one of `layerPaths` (its value came from a layer, not from the file). */
export function fromLayer(path: string, layerPaths: readonly string[]): boolean {
  return layerPaths.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
}
