import { errorMessage } from '../../../shared/result.js';

/**
 * What an error thrown by the Elasticsearch client means for isotel: a configuration mistake (fail at
 * start-up, name the field), a server that is not reachable now (retry later), or a request refused.
 * Errors are told apart by `name` and `statusCode`, so this file needs no import of the client.
 */
export type ErrorKind = 'unreachable' | 'auth' | 'not-elasticsearch' | 'transient' | 'refused';

export interface ClassifiedError {
  kind: ErrorKind;
  /** Starts with `elasticsearch backend:`, names the host and the config field to check. */
  message: string;
  status?: number;
}

/** A host URL without credentials, safe for messages. */
export function displayHost(host: string): string {
  try {
    const url = new URL(host);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    // Not a URL: config validation already refused it; show it without anything after an '@'.
    return host.replace(/^.*@/, '');
  }
}

function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
}

/** The host a connection error was about, when the client says so. */
function failedHost(err: unknown, hosts: string[]): string {
  const url = field(field(field(field(err, 'meta'), 'meta'), 'connection'), 'url');
  if (url instanceof URL) return displayHost(url.toString());
  return hosts.map(displayHost).join(', ');
}

/**
 * Elasticsearch's own error (`security_exception: missing authentication ...`), with the innermost
 * `caused_by`, which is usually the useful part ("template after composition is invalid" ... "the
 * mapper type [x] does not exist").
 */
function responseReason(err: unknown): string {
  const error = field(field(err, 'body'), 'error');
  const type = field(error, 'type');
  const reason = field(error, 'reason');
  if (typeof type !== 'string') return errorMessage(err).split('\n')[0];
  let text = typeof reason === 'string' ? `${type}: ${reason}` : type;
  let cause = field(error, 'caused_by');
  let innermost: unknown;
  for (let depth = 0; cause !== undefined && depth < 10; depth++) {
    innermost = cause;
    cause = field(cause, 'caused_by');
  }
  const innerReason = field(innermost, 'reason');
  if (typeof innerReason === 'string' && innerReason !== reason) text += ` (caused by ${String(field(innermost, 'type'))}: ${innerReason})`;
  return text;
}

export function classifyError(err: unknown, hosts: string[], authField: string): ClassifiedError {
  const name = field(err, 'name');
  if (name === 'ConnectionError' || name === 'NoLivingConnectionsError' || name === 'RequestAbortedError') {
    const host = failedHost(err, hosts);
    return {
      kind: 'unreachable',
      message: `elasticsearch backend: cannot reach ${host} (check logger.backends[i].config.hosts): ${errorMessage(err)}`,
    };
  }
  if (name === 'TimeoutError') {
    return {
      kind: 'unreachable',
      message: `elasticsearch backend: ${failedHost(err, hosts)} did not answer in time (check logger.backends[i].config.timeout and hosts)`,
    };
  }
  if (name === 'ProductNotSupportedError') {
    return {
      kind: 'not-elasticsearch',
      message: `elasticsearch backend: ${hosts.map(displayHost).join(', ')} is not Elasticsearch (check logger.backends[i].config.hosts)`,
    };
  }
  const statusCode = field(err, 'statusCode');
  if (name === 'ResponseError' && typeof statusCode === 'number') {
    const reason = responseReason(err);
    if (statusCode === 401 || statusCode === 403) {
      const what = statusCode === 401 ? 'rejected the credentials' : 'refused the request (missing privileges)';
      return {
        kind: 'auth',
        status: statusCode,
        message: `elasticsearch backend: ${hosts.map(displayHost).join(', ')} ${what} (check logger.backends[i].config.${authField}): ${reason}`,
      };
    }
    const transient = statusCode === 408 || statusCode === 429 || statusCode >= 500;
    return {
      kind: transient ? 'transient' : 'refused',
      status: statusCode,
      message: `elasticsearch backend: HTTP ${statusCode}: ${reason}`,
    };
  }
  return { kind: 'transient', message: `elasticsearch backend: ${errorMessage(err)}` };
}
