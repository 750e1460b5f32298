/**
 * How the protobuf reader hands invalid UTF-8 to the validator instead of failing the whole request: the
 * message that held it (a log record, a span, a resource, a scope, a ResourceX/ScopeX for its schema_url)
 * carries the reason under this symbol, and the decoder rejects that message with it, so the valid records
 * beside it are kept (OTLP partial success). A symbol, so no JSON body can set it.
 */
export const INVALID_TEXT: unique symbol = Symbol('isotel.invalidText');

export function invalidText(v: Record<string, unknown>): string | undefined {
  const reason = (v as { [INVALID_TEXT]?: unknown })[INVALID_TEXT];
  return typeof reason === 'string' ? reason : undefined;
}
