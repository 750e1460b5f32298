import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/** A durable log's directory is owned by one live process at a time: two appenders would write the same segment. */
export class DirBusyError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`${dir} is in use by process ${pid}`);
    this.name = 'DirBusyError';
  }
}

export interface DirLock {
  release(): Promise<void>;
}

/**
 * Takes `dir/lock` (created exclusively, holding our pid). A lock left by a process that no longer runs
 * (kill -9, crash) is taken over. Rejects with DirBusyError while a live process (possibly this one, e.g.
 * a log still closing) holds it.
 */
export async function acquireDirLock(dir: string, pid = process.pid): Promise<DirLock> {
  const file = path.join(dir, 'lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fsp.writeFile(file, String(pid), { flag: 'wx' });
      return { release: () => fsp.rm(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readHolder(file);
    if (holder !== undefined && isAlive(holder)) throw new DirBusyError(dir, holder);
    // An empty lock is being written right now, unless it is old (a crash between create and write).
    if (holder === undefined && (await ageMs(file)) < 5000) throw new DirBusyError(dir, -1);
    // Stale (its process is gone) or an old empty one: take it over. The
    // holder is read again just before removing, which narrows (does not close) the window in which two
    // processes starting at the same instant on the same stale lock could both win; the exclusive create
    // above then still lets only one of them have the file.
    if ((await readHolder(file)) === holder) await fsp.rm(file, { force: true });
  }
  throw new DirBusyError(dir, -1);
}

async function readHolder(file: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function ageMs(file: string): Promise<number> {
  try {
    return Date.now() - (await fsp.stat(file)).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Number.POSITIVE_INFINITY;
    throw err;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
