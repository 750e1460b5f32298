import * as path from 'node:path';
import type { Batch } from '../../shared/model.js';
import type { RejectedItem } from '../../shared/result.js';
import { createDeadLetter, type DeadLetter } from './dead-letter.js';

/**
 * The engine's one dead-letter layout, for the SDK and the ingest alike: `<data_dir>/dead-letter/<sink>.jsonl`,
 * one JSON line per record a sink refused for good ({ reason, backend, at, id, record }).
 */
export function createDeadLetters(dataDir: string) {
  const files = new Map<string, DeadLetter>();
  const file = (name: string): DeadLetter => {
    let f = files.get(name);
    if (!f) {
      f = createDeadLetter(path.join(dataDir, 'dead-letter', `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`));
      files.set(name, f);
    }
    return f;
  };
  return {
    write: (name: string, items: RejectedItem[], batch: Batch): Promise<void> => file(name).write(name, items, batch),
    async close(): Promise<void> {
      await Promise.all([...files.values()].map((f) => f.close()));
    },
  };
}
