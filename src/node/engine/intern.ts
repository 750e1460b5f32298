import type { Batch } from '../../shared/model.js';

/**
 * Shares one object among records whose resource (or scope) has the same content, across requests and
 * across frames read back from disk. Backends key per-resource work on object identity (the JSONL writer
 * encodes a resource once per distinct object and holds at most 255 per batch), so a batch merged from many
 * requests, or parsed back from the log where every record got its own copy, must not present hundreds of
 * equal-but-distinct objects. Bounded: the table is emptied when it reaches `max` entries.
 */
export interface Interner {
  /** The shared object equal to `o` (by JSON content). */
  intern<T extends object>(o: T): T;
  /** Replaces every record's resource and scope by the shared one, in place. */
  internBatch(batch: Batch): void;
}

export function createInterner(max = 4096): Interner {
  const byContent = new Map<string, object>();
  const intern = <T extends object>(o: T): T => {
    const key = JSON.stringify(o);
    const found = byContent.get(key);
    if (found) return found as T;
    if (byContent.size >= max) byContent.clear();
    byContent.set(key, o);
    return o;
  };
  return {
    intern,
    internBatch(batch) {
      // Records of one request already share their objects: look each distinct object up once.
      const seen = new Map<object, object>();
      const shared = <T extends object>(o: T): T => {
        let s = seen.get(o);
        if (!s) {
          s = intern(o);
          seen.set(o, s);
        }
        return s as T;
      };
      for (const r of [...batch.logs, ...batch.spans, ...batch.metrics]) {
        if (typeof r.resource === 'object' && r.resource !== null) r.resource = shared(r.resource);
        if (typeof r.scope === 'object' && r.scope !== null) r.scope = shared(r.scope);
      }
    },
  };
}
