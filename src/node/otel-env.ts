import type { Env } from './config/index.js';
import { PROPAGATORS, SAMPLERS, type PropagatorName, type SamplerName } from './config/index.js';
import {
  isHttpToken,
  parseBoolean,
  parseEnum,
  parseHttpUrl,
  parseInteger,
  parseKeyValueList,
  parseRatio,
  type Parsed,
} from './otel-env-parse.js';

/**
 * The OTEL_* variables isotel reads (the OpenTelemetry SDK environment variable specification), turned into
 * a layer in the YAML's shape (`{ logger: {...} }`) that configureLogger puts between the file and the code's
 * options (see the precedence table in the README, "Configuration from the environment"). Only valid values
 * enter the layer; each malformed one becomes a problem that names the variable and its value, and the
 * variable is ignored, so the file's value or the default applies. Reading never throws.
 */
export const OTEL_LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;
export type OtelLogLevel = (typeof OTEL_LOG_LEVELS)[number];

export interface OtelEnv {
  /** `{ logger: {...} }` with only the keys a valid variable set. */
  layer: { logger: Record<string, unknown> };
  /** OTEL_LOG_LEVEL, when set and valid. */
  logLevel?: OtelLogLevel;
  /** One sentence per ignored variable (or ignored part of one), naming it and its value. */
  problems: string[];
}

/** How a malformed value is quoted in its problem: never the headers (credentials), nor an URL's user:password. */
function shown(name: string, raw: string): string {
  if (name === 'OTEL_EXPORTER_OTLP_HEADERS') return '';
  return `=${JSON.stringify(name === 'OTEL_EXPORTER_OTLP_ENDPOINT' ? raw.replace(/\/\/[^/?#]*@/, '//***@') : raw)}`;
}
const LENGTH_MIN = 16; // logger.limits.max_attribute_value_length's minimum

export function readOtelEnv(env: Env): OtelEnv {
  const problems: string[] = [];
  const logger: Record<string, unknown> = {};
  const read = <T>(name: string, parse: (text: string) => Parsed<T>): T | undefined => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return undefined; // the spec: empty is the same as unset
    const r = parse(raw);
    if (r.ok) return r.value;
    problems.push(`${name}${shown(name, raw)} ignored: ${r.problem}`);
    return undefined;
  };

  const disabled = read('OTEL_SDK_DISABLED', parseBoolean);
  if (disabled !== undefined) logger.disabled = disabled;
  Object.assign(logger, resourceKeys(read));
  const tracing = tracingKeys(env, read, problems);
  if (Object.keys(tracing).length > 0) logger.tracing = tracing;

  const limits: Record<string, number> = {};
  const valueLength = read('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', (t) => parseInteger(t, LENGTH_MIN));
  if (valueLength !== undefined) limits.max_attribute_value_length = valueLength;
  const count = read('OTEL_ATTRIBUTE_COUNT_LIMIT', (t) => parseInteger(t, 1));
  if (count !== undefined) limits.max_attributes = count;
  if (Object.keys(limits).length > 0) logger.limits = limits;

  const otlp: Record<string, unknown> = {};
  const endpoint = read('OTEL_EXPORTER_OTLP_ENDPOINT', parseHttpUrl);
  if (endpoint !== undefined) otlp.endpoint = endpoint;
  const headers = read('OTEL_EXPORTER_OTLP_HEADERS', parseHeaders);
  if (headers !== undefined) otlp.headers = headers;
  const protocol = read('OTEL_EXPORTER_OTLP_PROTOCOL', parseProtocol);
  if (protocol !== undefined) otlp.protocol = protocol;
  const compression = read('OTEL_EXPORTER_OTLP_COMPRESSION', (t) => parseEnum(t, ['gzip', 'none'] as const));
  if (compression !== undefined) otlp.compression = compression;
  if (Object.keys(otlp).length > 0) logger.otlp_export = otlp;

  const interval = read('OTEL_METRIC_EXPORT_INTERVAL', parseInterval);
  if (interval !== undefined) logger.metrics = { export_interval: interval / 1000 };

  const logLevel = read('OTEL_LOG_LEVEL', (t) => parseEnum(t, OTEL_LOG_LEVELS));
  return logLevel === undefined ? { layer: { logger }, problems } : { layer: { logger }, logLevel, problems };
}

/** OTEL_METRIC_EXPORT_INTERVAL: milliseconds, within logger.metrics.export_interval's 0.1 s .. 1 day. */
function parseInterval(text: string): Parsed<number> {
  const r = parseInteger(text, 100);
  return r.ok && r.value > 86_400_000 ? { ok: false, problem: 'expected at most 86400000 (one day)' } : r;
}

/** OTEL_EXPORTER_OTLP_PROTOCOL: the two OTLP/HTTP encodings; `grpc` (the spec's third) is named as unsupported. */
function parseProtocol(text: string): Parsed<'http/protobuf' | 'http/json'> {
  if (text.trim() === 'grpc') return { ok: false, problem: 'OTLP over gRPC is not supported; use http/protobuf or http/json (the receiver\'s OTLP/HTTP port, 4318 by default)' };
  return parseEnum(text, ['http/protobuf', 'http/json'] as const);
}

type Reader = <T>(name: string, parse: (text: string) => Parsed<T>) => T | undefined;

/**
 * OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME. `service.name`, `service.version` and
 * `deployment.environment.name` (or the older `deployment.environment`) become the logger's own keys, so that
 * code and file set them the usual way; every other attribute goes to `resource_attributes`.
 * OTEL_SERVICE_NAME wins over a `service.name` in the list (the spec).
 */
function resourceKeys(read: Reader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const list = read('OTEL_RESOURCE_ATTRIBUTES', (t) => parseKeyValueList(t));
  if (list !== undefined) {
    const attrs = Object.create(null) as Record<string, string>;
    for (const [k, v] of list) attrs[k] = v;
    const take = (key: string): string | undefined => {
      const v = attrs[key];
      delete attrs[key];
      return v === '' ? undefined : v;
    };
    const name = take('service.name');
    const version = take('service.version');
    const legacyEnvironment = take('deployment.environment');
    const environment = take('deployment.environment.name') ?? legacyEnvironment;
    if (name !== undefined) out.service_name = name;
    if (version !== undefined) out.service_version = version;
    if (environment !== undefined) out.environment = environment;
    if (Object.keys(attrs).length > 0) out.resource_attributes = { ...attrs };
  }
  const serviceName = read('OTEL_SERVICE_NAME', (t) => ({ ok: true, value: t.trim() }));
  if (serviceName !== undefined) out.service_name = serviceName;
  return out;
}

const SAMPLERS_WITH_RATIO: ReadonlySet<SamplerName> = new Set(['traceidratio', 'parentbased_traceidratio']);

/** OTEL_TRACES_SAMPLER (+ _ARG, read only with it, as the spec says) and OTEL_PROPAGATORS. */
function tracingKeys(env: Env, read: Reader, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const sampler = read('OTEL_TRACES_SAMPLER', (t) => parseEnum(t, SAMPLERS));
  const argSet = (env.OTEL_TRACES_SAMPLER_ARG ?? '').trim() !== '';
  if (sampler !== undefined) {
    out.sampler = sampler;
    if (SAMPLERS_WITH_RATIO.has(sampler)) {
      const arg = read('OTEL_TRACES_SAMPLER_ARG', parseRatio);
      if (arg !== undefined) out.sampler_arg = arg;
    } else if (argSet) {
      problems.push(`OTEL_TRACES_SAMPLER_ARG ignored: the ${sampler} sampler takes no argument`);
    }
  } else if (argSet && (env.OTEL_TRACES_SAMPLER ?? '').trim() === '') {
    problems.push('OTEL_TRACES_SAMPLER_ARG ignored: it is only read together with OTEL_TRACES_SAMPLER');
  }
  const propagators = read('OTEL_PROPAGATORS', (t) => parsePropagators(t, problems));
  if (propagators !== undefined) out.propagators = propagators;
  return out;
}

/**
 * A comma-separated list, deduplicated (the spec). Entries isotel does not know (b3, jaeger, xray, ...) are
 * reported and skipped; a list with no known entry is ignored as a whole. `none` alone turns propagation
 * off; next to other entries it is reported and dropped.
 */
function parsePropagators(text: string, problems: string[]): Parsed<PropagatorName[]> {
  const seen = new Set<PropagatorName>();
  for (const entry of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const r = parseEnum(entry, PROPAGATORS);
    if (r.ok) seen.add(r.value);
    else problems.push(`OTEL_PROPAGATORS entry ${JSON.stringify(entry)} ignored: isotel supports ${PROPAGATORS.join(', ')}`);
  }
  if (seen.has('none') && seen.size > 1) {
    seen.delete('none');
    problems.push(`OTEL_PROPAGATORS entry "none" ignored: it stands alone, and ${[...seen].join(', ')} was also given`);
  }
  if (seen.size === 0) return { ok: false, problem: 'no propagator isotel supports is in the list' };
  return { ok: true, value: [...seen] };
}

/** Header names must be HTTP tokens; values are strings (the OTLP exporter spec: W3C Baggage form). */
function parseHeaders(text: string): Parsed<Record<string, string>> {
  const list = parseKeyValueList(text, true);
  if (!list.ok) return list;
  const headers: Record<string, string> = {};
  for (const [i, [k, v]] of list.value.entries()) {
    if (!isHttpToken(k)) return { ok: false, problem: `header ${i + 1} has a name that is not an HTTP token: ${JSON.stringify(k)}` };
    if (/[\r\n\0]/.test(v)) return { ok: false, problem: `header ${JSON.stringify(k)} has a line break or NUL in its value` };
    Object.defineProperty(headers, k.toLowerCase(), { value: v, enumerable: true, writable: true, configurable: true });
  }
  return { ok: true, value: headers };
}
