import type { Client } from '@elastic/elasticsearch';
import type { Diag } from '../../../shared/diag.js';
import { errorMessage } from '../../../shared/result.js';
import type { IndexTemplate } from './template.js';
import { UNTRACED_REQUEST } from './client.js';

/**
 * Installs the index templates with PUT (idempotent: the same body replaces itself). Some distributions
 * lack a field type (the integ-test-zip build has no mapper-extras module, so no `match_only_text`); when Elasticsearch answers
 * `No handler for type [X]`, X is replaced by its nearest plain equivalent and the PUT is repeated, with
 * a warning on the diag channel. Existing indices keep their mappings; the templates apply to new ones.
 */

type Mapping = Record<string, unknown>;

/** Plain replacements that never let the mapping grow with the data. */
const FALLBACKS: Record<string, Mapping> = {
  match_only_text: { type: 'text' },
  // Stored in _source (exact round trip), never parsed: no search on attribute keys, but no mapping growth.
  flattened: { type: 'object', enabled: false },
  // Metric values of these kinds stay in _source (and in `point`, which keeps them exactly) without the x-pack types.
  histogram: { type: 'object', enabled: false },
  aggregate_metric_double: { type: 'object', enabled: false },
};

export async function installTemplates(client: Client, templates: IndexTemplate[], diag: Diag, timeoutMs?: number): Promise<void> {
  const missing = new Set<string>();
  for (const template of templates) {
    for (;;) {
      let mappings = template.body.template.mappings;
      for (const type of missing) mappings = replaceType(mappings, type, FALLBACKS[type]);
      try {
        await client.indices.putIndexTemplate(
          { name: template.name, ...template.body, template: { mappings } } as Parameters<Client['indices']['putIndexTemplate']>[0],
          { maxRetries: 0, ...UNTRACED_REQUEST, ...(timeoutMs !== undefined ? { requestTimeout: timeoutMs } : {}) },
        );
        break;
      } catch (err) {
        const type = missingType(err);
        if (type === undefined || !(type in FALLBACKS) || missing.has(type)) throw err;
        missing.add(type);
        const message = `elasticsearch backend: this Elasticsearch has no "${type}" field type; the templates use ${JSON.stringify(FALLBACKS[type])} instead`;
        // Without flattened, attributes are no longer searchable: worth a warning. text for match_only_text is equivalent.
        if (type === 'flattened') diag.warn(message);
        else diag.debug(message);
      }
    }
  }
}

/**
 * The field type named in `The mapper type [match_only_text] declared on field [body.text] does not
 * exist` (8.x) or `No handler for type [flattened] declared on field [attributes]` (older releases).
 */
export function missingType(err: unknown): string | undefined {
  // The reason sits several `caused_by` levels deep in the response body.
  let text = errorMessage(err);
  try {
    text += JSON.stringify((err as { body?: unknown }).body ?? '');
  } catch {
    // An unserializable body cannot hold the reason; the message alone is searched.
  }
  const match = /(?:No handler for type|The mapper type) \[([a-z_]+)\]/.exec(text);
  return match?.[1];
}

/** A copy of the mapping with every `{ type: name, ...params }` replaced by `replacement`. */
export function replaceType(mapping: Mapping, name: string, replacement: Mapping): Mapping {
  const out: Mapping = {};
  for (const [key, value] of Object.entries(mapping)) {
    if (Array.isArray(value)) {
      // dynamic_templates: a list of one-key objects holding mappings.
      out[key] = value.map((v: unknown) => (typeof v === 'object' && v !== null ? replaceType(v as Mapping, name, replacement) : v));
      continue;
    }
    if (typeof value !== 'object' || value === null) {
      out[key] = value;
      continue;
    }
    const child = value as Mapping;
    out[key] = child.type === name ? { ...replacement } : replaceType(child, name, replacement);
  }
  return out;
}
