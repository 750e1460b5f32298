import { readFile } from 'node:fs/promises';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createDiag, type Diag } from '../../shared/diag.js';
import { ConfigError } from './errors.js';
import { parseConfigText, type LoadOptions } from './load.js';
import type { IsotelConfig } from './schema.js';

export interface WatchOptions extends LoadOptions {
  /** Quiet time after the last change event before the file is read (default 100 ms). */
  debounceMs?: number;
  /** Where a throwing onChange/onError callback is reported (default: the stderr diag sink). */
  diag?: Diag;
}

export interface ConfigWatcher {
  close(): void;
}

/**
 * Calls onChange with the new configuration whenever the file changes and is valid; an invalid file calls
 * onError and the caller keeps its running configuration. The directory is watched, not the file, because
 * editors save by writing a temporary file and renaming it over the old one, which ends a file watch.
 * Events are debounced (editors emit several per save) and identical content is ignored. The watcher and
 * timer are unref'd: watching never keeps the process alive.
 */
export function watchConfigFile(
  path: string,
  onChange: (cfg: IsotelConfig) => void,
  onError: (err: ConfigError) => void,
  opts: WatchOptions = {},
): ConfigWatcher {
  const file = resolve(path);
  const name = basename(file);
  const debounceMs = opts.debounceMs ?? 100;
  const diag = opts.diag ?? createDiag();
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastText: string | undefined;
  let reading = false;
  let again = false;

  const call = <T>(fn: (arg: T) => void, arg: T): void => {
    if (closed) return;
    try {
      fn(arg);
    } catch (err) {
      diag.error('config watch: a change callback threw', err);
    }
  };

  const reload = async (): Promise<void> => {
    if (reading) {
      again = true; // one more read when the current one ends, so the last write always wins
      return;
    }
    reading = true;
    try {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        call(onError, new ConfigError([{ path: '', message: `cannot read the configuration file: ${(err as Error).message}` }], path));
        return;
      }
      if (text === lastText) return;
      lastText = text;
      try {
        const cfg = parseConfigText(text, { ...opts, source: opts.source ?? path });
        call(onChange, cfg);
      } catch (err) {
        if (err instanceof ConfigError) call(onError, err);
        else call(onError, new ConfigError([{ path: '', message: `unexpected error: ${(err as Error).message}` }], path));
      }
    } finally {
      reading = false;
      if (again && !closed) {
        again = false;
        void reload();
      }
    }
  };

  const schedule = (): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void reload();
    }, debounceMs);
    timer.unref?.();
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      // Some platforms do not name the file; then any change in the directory is checked.
      if (changed === null || changed === undefined || changed.toString() === name) schedule();
    });
    watcher.on('error', (err) => call(onError, new ConfigError([{ path: '', message: `watching stopped: ${err.message}` }], path)));
    watcher.unref?.();
  } catch (err) {
    call(onError, new ConfigError([{ path: '', message: `cannot watch ${dirname(file)}: ${(err as Error).message}` }], path));
  }

  // The content the caller loaded is the baseline, so a save without a change does not reload. Read
  // synchronously: an async read could race a quick first write and take the new content as the baseline.
  try {
    lastText = readFileSync(file, 'utf8');
  } catch {
    // Unreadable now (not yet created): the first successful read after a change is then reported.
  }

  return {
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}
