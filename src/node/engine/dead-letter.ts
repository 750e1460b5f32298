import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Batch, LogRecord, MetricPoint, SpanRecord } from '../../shared/model.js';
import { errorMessage, type RejectedItem } from '../../shared/result.js';
import { recordsById } from './batch-utils.js';

/** One refused record, as a line of the dead-letter file. */
export interface DeadLetterEntry {
  reason: string;
  backend: string;
  /** ISO 8601 time it was refused. */
  at: string;
  /** The record, or null when the backend named an id that was not in the batch. */
  record: LogRecord | SpanRecord | MetricPoint | null;
  id: string;
}

export interface DeadLetter {
  /**
   * Appends one JSON line per refused item (with its record, looked up in `batch`) and fsyncs; rejects when
   * they could not be stored.
   */
  write(backend: string, items: RejectedItem[], batch: Batch): Promise<void>;
  /** Entries written by this instance. */
  count(): number;
  close(): Promise<void>;
}

export interface DeadLetterOptions {
  now?: () => number;
}

/**
 * Records a backend refused for good (for example a mapping error), kept as JSON lines
 * `{ reason, backend, at, record, id }` so they can be inspected and replayed by hand. The file is opened on
 * first use, so a backend that never refuses anything leaves no file behind.
 */
export function createDeadLetter(file: string, options: DeadLetterOptions = {}): DeadLetter {
  const now = options.now ?? Date.now;
  let fh: Promise<fsp.FileHandle> | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let written = 0;
  let closed = false;

  const open = (): Promise<fsp.FileHandle> => {
    fh ??= fsp.mkdir(path.dirname(file), { recursive: true }).then(() => fsp.open(file, 'a'));
    // An open that failed (permissions, disk) is retried by the next write rather than cached.
    fh.catch(() => (fh = undefined));
    return fh;
  };

  return {
    write(backend, items, batch) {
      if (items.length === 0) return Promise.resolve();
      if (closed) return Promise.reject(new Error(`dead-letter file ${file} is closed`));
      const at = new Date(now()).toISOString();
      const found = recordsById(batch, items.map((i) => i.id));
      let text = '';
      try {
        for (const i of items) {
          const entry: DeadLetterEntry = { reason: i.reason, backend, at, id: i.id, record: found.get(i.id) ?? null };
          text += JSON.stringify(entry) + '\n';
        }
      } catch (err) {
        return Promise.reject(new Error(`dead-letter entry cannot be serialized: ${errorMessage(err)}`));
      }
      const run = chain.then(async () => {
        const h = await open();
        await h.appendFile(text);
        await h.sync();
        written += items.length;
      });
      chain = run.catch(() => undefined); // the caller gets the rejection; later writes still run
      return run;
    },
    count: () => written,
    async close() {
      if (closed) return;
      closed = true;
      await chain;
      // A failed open was already reported to the write() that hit it: nothing to close then.
      const h = await fh?.catch(() => undefined);
      await h?.close();
    },
  };
}
