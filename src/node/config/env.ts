import type { PathSegment, RawIssue } from './errors.js';
import { formatPath } from './errors.js';

/**
 * `$VAR`, `${VAR}`, `${VAR:-default}` (default when unset or empty) and `${VAR-default}` (default when
 * unset) in string values; `$$` is a literal `$`. Applied to the parsed values, never to the YAML text,
 * so a variable's content cannot inject YAML structure. A `$` not followed by a name or `{` stays as is.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export interface Substituted {
  /** A deep copy of the input with every string substituted. */
  value: unknown;
  issues: RawIssue[];
  /**
   * Paths (formatted) whose whole value was one variable reference, e.g. `port: ${PG_PORT}`. Only these
   * may be coerced to a number or boolean when the schema expects one.
   */
  wholeReferences: Set<string>;
}

const REFERENCE = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\{))/g;
const WHOLE = /^\$(?:\{[A-Za-z_][A-Za-z0-9_]*(?::?-[^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$/;

export function substituteEnv(value: unknown, env: Env): Substituted {
  const issues: RawIssue[] = [];
  const wholeReferences = new Set<string>();

  const walk = (v: unknown, path: PathSegment[]): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('$')) return v;
      const r = substituteString(v, env);
      for (const message of r.errors) issues.push({ segments: path, message });
      if (WHOLE.test(v)) wholeReferences.add(formatPath(path));
      return r.value;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        // defineProperty: a `__proto__` key stays a key (and is then rejected as unknown), not a prototype.
        Object.defineProperty(out, k, { value: walk(item, [...path, k]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };

  return { value: walk(value, []), issues, wholeReferences };
}

export function substituteString(s: string, env: Env): { value: string; errors: string[] } {
  const errors: string[] = [];
  const value = s.replace(
    REFERENCE,
    (match, dollar: string | undefined, braced: string | undefined, op: string | undefined, fallback: string | undefined, bare: string | undefined, open: string | undefined) => {
      if (dollar) return '$';
      if (open) {
        errors.push('unterminated or invalid ${...} reference (write $$ for a literal $)');
        return match;
      }
      const name = (braced ?? bare) as string;
      const current = Object.hasOwn(env, name) ? env[name] : undefined;
      if (op === ':-') return current === undefined || current === '' ? (fallback ?? '') : current;
      if (op === '-') return current === undefined ? (fallback ?? '') : current;
      if (current === undefined) {
        errors.push(`environment variable ${name} is not set`);
        return match;
      }
      return current;
    },
  );
  return { value, errors };
}

/** `'5432'` → 5432, `'true'` → true; undefined when the text is not that type. */
export function coerceScalar(text: string, to: 'number' | 'boolean'): number | boolean | undefined {
  const t = text.trim();
  if (to === 'boolean') {
    if (/^(?:true|yes|on|1)$/i.test(t)) return true;
    if (/^(?:false|no|off|0)$/i.test(t)) return false;
    return undefined;
  }
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}
