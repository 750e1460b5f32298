import { errorMessage } from '../../../shared/result.js';

/**
 * Kafka errors that no retry can fix: the broker refuses the message or the topic itself. Everything else
 * (refused connection, timeout, no leader, not enough replicas, a broker restarting) is retryable: the engine
 * keeps the records in its log and tries again.
 */
const PERMANENT = /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE|INVALID_TOPIC_EXCEPTION|TOPIC_AUTHORIZATION_FAILED|INVALID_RECORD|CORRUPT_MESSAGE|UNSUPPORTED_COMPRESSION_TYPE/;

/** A readable reason with the protocol error names the client nests inside its errors. */
export function describeKafkaError(err: unknown): string {
  const parts = new Set<string>([errorMessage(err)]);
  const visit = (e: unknown, depth: number) => {
    if (depth > 4 || typeof e !== 'object' || e === null) return;
    const { errors, cause, apiId } = e as { errors?: unknown; cause?: unknown; apiId?: unknown };
    if (typeof apiId === 'string') parts.add(apiId);
    if (Array.isArray(errors)) for (const inner of errors.slice(0, 5)) {
      parts.add(errorMessage(inner));
      visit(inner, depth + 1);
    }
    if (cause) visit(cause, depth + 1);
  };
  visit(err, 0);
  return [...parts].join('; ').slice(0, 500);
}

export function isPermanentKafkaError(reason: string): boolean {
  return PERMANENT.test(reason);
}
