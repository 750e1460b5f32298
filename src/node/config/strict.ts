import { z } from 'zod';
import { unknownKeyMessage } from './errors.js';

/**
 * `z.strictObject` whose unknown-key error names each key with a suggestion
 * (`unknown key "servce_name" (did you mean "service_name"?)`), one line per key: a typo must never
 * pass silently as an ignored field.
 */
export function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? iss.keys.map((k) => unknownKeyMessage(k, known)).join('\n') : undefined),
  });
}
