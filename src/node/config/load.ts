import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { coerceScalar, substituteEnv, type Env } from './env.js';
import { ConfigError, describeIssue, formatPath, type ConfigIssue, type PathSegment, type RawIssue } from './errors.js';
import { buildConfigSchema, type IsotelConfig } from './schema.js';
import { createLineLocator, type LineLocator } from './yaml-lines.js';
import { fromLayer, stackLayers, toFullConfig, type ConfigLayer } from './layers.js';

export interface LoadOptions {
  /** Where `$VAR` references are looked up (default process.env); NODE_ENV is the default environment. */
  env?: Env;
  /** Backend types with a registered factory (built-ins are always known). */
  knownBackendTypes?: ReadonlySet<string>;
  /** Substitute `$VAR` references (default true; `$$` writes a literal `$`). */
  substituteEnv?: boolean;
  /** Named in error messages (loadConfigFile sets it to the path). */
  source?: string;
  /**
   * Merged over the file (or object) in order before validation, each later one winning: configureLogger
   * passes the OTEL_* environment, then the code's `config` (README, "Configuration from the environment").
   */
  layers?: readonly ConfigLayer[];
}

/** Reads, substitutes and validates a YAML configuration file; rejects with a ConfigError naming every problem. */
export async function loadConfigFile(path: string, opts: LoadOptions = {}): Promise<IsotelConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read the configuration file: ${(err as Error).message}` }], path);
  }
  return parseConfigText(text, { ...opts, source: opts.source ?? path });
}

/**
 * The same, read synchronously: configureLogger reads its file before its first await, so that the
 * instrumentations it enables patch libraries before the app loads them (a small file, read once at start-up).
 */
export function loadConfigFileSync(path: string, opts: LoadOptions = {}): IsotelConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read the configuration file: ${(err as Error).message}` }], path);
  }
  return parseConfigText(text, { ...opts, source: opts.source ?? path });
}

export function parseConfigText(text: string, opts: LoadOptions = {}): IsotelConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter, prettyErrors: true, merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError(doc.errors.map(syntaxIssue), opts.source);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // toJS throws for alias bombs and the like: that is a broken file, reported as such.
    throw new ConfigError([{ path: '', message: `YAML error: ${(err as Error).message}` }], opts.source);
  }
  if (data === null || data === undefined) {
    throw new ConfigError([{ path: 'logger', message: 'the file is empty: expected a mapping with a logger: section' }], opts.source);
  }
  return validate(data, opts, createLineLocator(doc, lineCounter));
}

/** `{ logger: {...}, ingest: {...} }`, or the bare logger section (`{ service_name, backends, ... }`). */
export function parseConfigObject(obj: unknown, opts: LoadOptions = {}): IsotelConfig {
  return validate(toFullConfig(obj, opts.source), opts);
}

function validate(data: unknown, opts: LoadOptions, locate?: LineLocator): IsotelConfig {
  const env = opts.env ?? process.env;
  const base =
    opts.substituteEnv === false ? { value: data, issues: [] as RawIssue[], wholeReferences: new Set<string>() } : substituteEnv(data, env);
  const sub = stackLayers(base, opts.layers ?? [], env);
  const schema = buildConfigSchema({ knownBackendTypes: opts.knownBackendTypes, defaultEnvironment: env.NODE_ENV || undefined });
  let result = schema.safeParse(sub.value, { reportInput: true });
  // `port: ${PG_PORT}` is the string "5432" after substitution; where the schema wants a number or boolean
  // and the whole value was one reference, coerce it and validate again (once).
  if (!result.success && sub.wholeReferences.size > 0) {
    let changed = false;
    for (const raw of result.error.issues.flatMap(describeIssue)) {
      if (raw.expected && sub.wholeReferences.has(formatPath(raw.segments))) changed = coerceAt(sub.value, raw.segments, raw.expected) || changed;
    }
    if (changed) result = schema.safeParse(sub.value, { reportInput: true });
  }
  // A missing variable already explains why its field is wrong: report that field once.
  const envPaths = new Set(sub.issues.map((i) => formatPath(i.segments)));
  const schemaIssues = result.success ? [] : result.error.issues.flatMap(describeIssue).filter((r) => !envPaths.has(formatPath(r.segments)));
  const raws = [...sub.issues, ...schemaIssues];
  // A value a layer set is not in the file: its problem gets no file line.
  const fileLine: LineLocator | undefined = locate && ((segments) => (fromLayer(formatPath(segments), sub.layerPaths) ? undefined : locate(segments)));
  if (raws.length > 0 || !result.success) throw new ConfigError(placeIssues(raws, fileLine), opts.source);
  return result.data;
}

function placeIssues(raws: RawIssue[], locate?: LineLocator): ConfigIssue[] {
  const issues = raws.map((r): ConfigIssue => {
    const line = locate?.(r.segments);
    return line === undefined ? { path: formatPath(r.segments), message: r.message } : { path: formatPath(r.segments), line, message: r.message };
  });
  // In file order, so the list reads top to bottom like the file (sort is stable for equal lines).
  return issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

function coerceAt(root: unknown, segments: readonly PathSegment[], to: 'number' | 'boolean'): boolean {
  let parent: unknown = root;
  for (const seg of segments.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return false;
    parent = (parent as Record<PathSegment, unknown>)[seg];
  }
  const leaf = segments[segments.length - 1];
  if (parent === null || typeof parent !== 'object' || leaf === undefined) return false;
  const current = (parent as Record<PathSegment, unknown>)[leaf];
  if (typeof current !== 'string') return false;
  const coerced = coerceScalar(current, to);
  if (coerced === undefined) return false;
  (parent as Record<PathSegment, unknown>)[leaf] = coerced;
  return true;
}

function syntaxIssue(err: YAMLError): ConfigIssue {
  const pos = err.linePos?.[0];
  const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (!pos) return { path: '', message: `YAML syntax error: ${what}` };
  return { path: '', line: pos.line, message: `YAML syntax error at line ${pos.line}, column ${pos.col}: ${what}` };
}
