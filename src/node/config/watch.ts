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

/** One watch: its settings and callbacks, and what changes while it runs. */
interface WatchState {
  readonly path: string;
  readonly file: string;
  readonly opts: WatchOptions;
  readonly debounceMs: number;
  readonly diag: Diag;
  readonly onChange: (cfg: IsotelConfig) => void;
  readonly onError: (err: ConfigError) => void;
  closed: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  watcher: FSWatcher | undefined;
  /** The content last read (or loaded by the caller): the same content again is no change. */
  lastText: string | undefined;
  reading: boolean;
  /** A change arrived during a read: read once more when it ends. */
  again: boolean;
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
  const state: WatchState = {
    path,
    file: resolve(path),
    opts,
    debounceMs: opts.debounceMs ?? 100,
    diag: opts.diag ?? createDiag(),
    onChange,
    onError,
    closed: false,
    timer: undefined,
    watcher: undefined,
    lastText: undefined,
    reading: false,
    again: false,
  };
  startWatching(state);
  // The content the caller loaded is the baseline, so a save without a change does not reload. Read
  // synchronously: an async read could race a quick first write and take the new content as the baseline.
  try {
    state.lastText = readFileSync(state.file, 'utf8');
  } catch {
    // Unreadable now (not yet created): the first successful read after a change is then reported.
  }
  return {
    close() {
      if (state.closed) return;
      state.closed = true;
      if (state.timer) clearTimeout(state.timer);
      state.watcher?.close();
    },
  };
}

function startWatching(state: WatchState): void {
  const dir = dirname(state.file);
  const name = basename(state.file);
  try {
    state.watcher = watch(dir, { persistent: false }, (_event, changed) => {
      // Some platforms do not name the file; then any change in the directory is checked.
      if (changed === null || changed === undefined || changed.toString() === name) schedule(state);
    });
    state.watcher.on('error', (err) => report(state, state.onError, configError(state, `watching stopped: ${err.message}`)));
    state.watcher.unref?.();
  } catch (err) {
    report(state, state.onError, configError(state, `cannot watch ${dir}: ${(err as Error).message}`));
  }
}

function schedule(state: WatchState): void {
  if (state.closed) return;
  if (state.timer) clearTimeout(state.timer);
  state.timer = setTimeout(() => {
    state.timer = undefined;
    void reload(state);
  }, state.debounceMs);
  state.timer.unref?.();
}

async function reload(state: WatchState): Promise<void> {
  if (state.reading) {
    state.again = true; // one more read when the current one ends, so the last write always wins
    return;
  }
  state.reading = true;
  try {
    let text: string;
    try {
      text = await readFile(state.file, 'utf8');
    } catch (err) {
      report(state, state.onError, configError(state, `cannot read the configuration file: ${(err as Error).message}`));
      return;
    }
    if (text === state.lastText) return;
    state.lastText = text;
    try {
      const cfg = parseConfigText(text, { ...state.opts, source: state.opts.source ?? state.path });
      report(state, state.onChange, cfg);
    } catch (err) {
      if (err instanceof ConfigError) report(state, state.onError, err);
      else report(state, state.onError, configError(state, `unexpected error: ${(err as Error).message}`));
    }
  } finally {
    state.reading = false;
    if (state.again && !state.closed) {
      state.again = false;
      void reload(state);
    }
  }
}

/** Calls back unless closed; a callback that throws is reported on the diag channel, not to the watcher. */
function report<T>(state: WatchState, fn: (arg: T) => void, arg: T): void {
  if (state.closed) return;
  try {
    fn(arg);
  } catch (err) {
    state.diag.error('config watch: a change callback threw', err);
  }
}

function configError(state: WatchState, message: string): ConfigError {
  return new ConfigError([{ path: '', message }], state.path);
}
