import { resolve } from 'node:path';
import { RotatingFile, type RotatingFileOptions } from './rotating-file.js';
import type { LineId } from './json-lines.js';

/**
 * One RotatingFile per path in a process. Two backends configured with the same `log_file` (a service's logger
 * and the ingest it hosts, say) would otherwise each count the file's size and rotate it on their own: one
 * renames the file the other still appends to, and backups shift past `backup_count` and are deleted. Shared,
 * the appends of both go through one queue and rotation happens once. The first opener's rotation settings
 * apply; a different setting from a later opener is reported. (Writers in other processes are not covered:
 * give each process its own file.)
 */
type Entry = { file: RotatingFile; refs: number; options: RotatingFileOptions };
// On globalThis under a registered symbol: `isotel/node` and `isotel/collector` are separate bundles (each with
// its own copy of this module), and a service's logger and the ingest it hosts must still find each other.
const KEY = Symbol.for('isotel.filesystem.openFiles');
const holder = globalThis as unknown as Record<symbol, Map<string, Entry> | undefined>;
const open: Map<string, Entry> = (holder[KEY] ??= new Map<string, Entry>());

export interface SharedFile {
  file: RotatingFile;
  /** Closes the file when its last user releases it. */
  release(): Promise<void>;
  /** Set when the file was already open with other rotation settings. */
  conflict?: string;
  /** Whether another user (a backend of this thread) has the file open too, now. */
  shared(): boolean;
}

/** `lineId`: how to read a line's record id, so that replays are skipped (rotating-file.ts). */
export function acquireFile(path: string, options: RotatingFileOptions, lineId?: LineId): SharedFile {
  const key = resolve(path);
  let entry = open.get(key);
  let conflict: string | undefined;
  if (!entry) {
    entry = { file: new RotatingFile(path, options, lineId), refs: 0, options };
    open.set(key, entry);
  } else if (entry.options.maxBytes !== options.maxBytes || entry.options.backupCount !== options.backupCount || !!entry.options.fsync !== !!options.fsync) {
    conflict = `${path} is already open in this process with max_bytes ${entry.options.maxBytes}, backup_count ${entry.options.backupCount}: those settings apply`;
  }
  entry.refs++;
  const e = entry;
  let released = false;
  return {
    file: e.file,
    conflict,
    shared: () => e.refs > 1,
    async release() {
      if (released) return;
      released = true;
      if (--e.refs > 0) {
        await e.file.idle();
        return;
      }
      if (open.get(key) === e) open.delete(key);
      await e.file.close();
    },
  };
}

/**
 * True when a backend of this thread has `path` open. The ingest then keeps its backends in this thread
 * (not in its dispatch worker, whose files this map cannot see) so that both write through one file.
 */
export function isFileOpen(path: string): boolean {
  return open.has(resolve(path));
}
